import type { DeprecatedApiInUse } from './removed-api.model';

const METRIC = 'apiserver_requested_deprecated_apis';

/**
 * Reads the `apiserver_requested_deprecated_apis` series out of a kube-apiserver /metrics body (Prometheus
 * text format). The gauge is 1 for every deprecated API requested since the API server started; other
 * values (and other metrics) are ignored. One entry per group/version/resource/subresource, in input order.
 */
export function parseDeprecatedApiMetrics(prometheusText: string): DeprecatedApiInUse[] {
  const out: DeprecatedApiInUse[] = [];
  const seen = new Set<string>();
  for (const rawLine of prometheusText.split(/\r?\n/)) {
    const line = rawLine.trim();
    if (!line.startsWith(METRIC) || line.startsWith('#')) continue;
    const rest = line.slice(METRIC.length);
    if (!(rest.startsWith('{') || rest.startsWith(' '))) continue; // another metric sharing the prefix
    const parsed = parseSample(rest);
    if (!parsed || parsed.value !== 1) continue;
    const l = parsed.labels;
    if (l.resource === undefined || l.version === undefined) continue;
    const api: DeprecatedApiInUse = { group: l.group ?? '', version: l.version, resource: l.resource };
    if (l.subresource) api.subresource = l.subresource;
    if (l.removed_release) api.removedRelease = l.removed_release;
    const key = [api.group, api.version, api.resource, api.subresource ?? ''].join('|');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(api);
  }
  return out;
}

/** `{a="x",b="y"} 1 [timestamp]` → labels and value; null when malformed. */
function parseSample(text: string): { labels: Record<string, string>; value: number } | null {
  const labels: Record<string, string> = {};
  let i = 0;
  if (text[i] === '{') {
    i++;
    while (true) {
      while (text[i] === ' ' || text[i] === ',') i++;
      if (text[i] === '}') {
        i++;
        break;
      }
      const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
      if (!name) return null;
      i += name[0].length;
      while (text[i] === ' ') i++;
      if (text[i] !== '=' || text[i + 1] !== '"') return null;
      i += 2;
      let value = '';
      // Label values escape backslash, double quote and newline.
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          const next = text[i + 1];
          value += next === 'n' ? '\n' : next;
          i += 2;
        } else {
          value += text[i++];
        }
      }
      if (text[i] !== '"') return null;
      i++;
      labels[name[0]] = value;
    }
  }
  const fields = text.slice(i).trim().split(/\s+/);
  if (fields.length < 1 || fields[0] === '') return null;
  const value = Number(fields[0]);
  if (Number.isNaN(value)) return null;
  return { labels, value };
}
