/** Label selectors (`a=b,c!=d,e in (x,y),f notin (z),g,!h`), parsed once per request. */
import { errors } from '../http/api-error';

export type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: Set<string> }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

function splitTopLevel(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out.map((x) => x.trim()).filter((x) => x !== '');
}

const KEY = /^([a-z0-9A-Z]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

function key(k: string, selector: string): string {
  if (!KEY.test(k)) throw errors.badRequest(`unable to parse requirement: invalid label key "${k}" in selector "${selector}"`);
  return k;
}

export function parseLabelSelector(selector: string): LabelRequirement[] {
  const reqs: LabelRequirement[] = [];
  for (const term of splitTopLevel(selector)) {
    let m: RegExpExecArray | null;
    if ((m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(term))) {
      const values = new Set(m[3].split(',').map((v) => v.trim()).filter((v) => v !== ''));
      reqs.push({ op: m[2] as 'in' | 'notin', key: key(m[1], selector), values });
    } else if ((m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(term))) {
      reqs.push({ op: m[2] === '!=' ? 'neq' : 'eq', key: key(m[1], selector), value: m[3] });
    } else if ((m = /^!\s*(\S+)$/.exec(term))) {
      reqs.push({ op: 'notexists', key: key(m[1], selector) });
    } else if (/^\S+$/.test(term)) {
      reqs.push({ op: 'exists', key: key(term, selector) });
    } else {
      throw errors.badRequest(`unable to parse requirement: found '${term}', expected: in, notin, =, ==, !=, gt, lt`);
    }
  }
  return reqs;
}

export function labelMatcher(selector: string | null): LabelMatcher | undefined {
  if (!selector) return undefined;
  const reqs = parseLabelSelector(selector);
  if (reqs.length === 0) return undefined;
  return (labels) => {
    const l = labels ?? {};
    for (const r of reqs) {
      const has = Object.prototype.hasOwnProperty.call(l, r.key);
      const v = l[r.key];
      switch (r.op) {
        case 'eq':
          if (!has || v !== r.value) return false;
          break;
        case 'neq':
          if (has && v === r.value) return false;
          break;
        case 'in':
          if (!has || !r.values.has(v)) return false;
          break;
        case 'notin':
          if (has && r.values.has(v)) return false;
          break;
        case 'exists':
          if (!has) return false;
          break;
        case 'notexists':
          if (has) return false;
          break;
      }
    }
    return true;
  };
}

/** A LabelSelector object (matchLabels/matchExpressions), as in Deployments and NetworkPolicies. */
export function matchesSelectorObject(sel: { matchLabels?: Record<string, string>; matchExpressions?: Array<{ key: string; operator: string; values?: string[] }> }, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of sel.matchExpressions ?? []) {
    const has = k(e.key);
    if (e.operator === 'In' && !(has && (e.values ?? []).includes(l[e.key]))) return false;
    if (e.operator === 'NotIn' && has && (e.values ?? []).includes(l[e.key])) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
  function k(x: string): boolean {
    return Object.prototype.hasOwnProperty.call(l, x);
  }
}
