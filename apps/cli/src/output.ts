/** Plain-text output: kubectl-style tables (columns padded, three spaces apart, no trailing blanks); json and yaml for scripts. */
import { Option } from 'commander';
import { stringify } from 'yaml';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** `-o, --output table|json|yaml` (default table): the same option on every command that lists or gets. */
export function outputOption(): Option {
  return new Option('-o, --output <format>', 'output format').choices(OUTPUT_FORMATS).default('table');
}

/**
 * Prints `value` as JSON or YAML (the same document either way), or runs `table` for the human view.
 * Scripts get exactly the data; people get columns.
 */
export function emit(io: Io, format: string, value: unknown, table: () => string): void {
  if (format === 'json') io.out(formatJson(value));
  else if (format === 'yaml') io.out(formatYaml(value));
  else io.out(table());
}

export function formatYaml(value: unknown): string {
  // lineWidth 0: long reasons and messages stay on one line (grep-able), never folded.
  return stringify(value, { lineWidth: 0 });
}

/** Shortens a long cell (a status reason in a table) to `max` characters, ending with an ellipsis. */
export function truncate(text: string | null | undefined, max: number): string | null | undefined {
  if (!text || text.length <= max) return text;
  return `${text.slice(0, max - 1).trimEnd()}…`;
}

/** "key: value" lines, the keys padded to one width (cluster get, scan get). */
export function formatFields(fields: Array<[string, Cell]>): string {
  const width = Math.max(...fields.map(([k]) => k.length)) + 1;
  return fields.map(([k, v]) => `${`${k}:`.padEnd(width)} ${cellText(v)}`.trimEnd()).join('\n') + '\n';
}

export type Cell = string | number | null | undefined;

export function formatTable(headers: string[], rows: Cell[][]): string {
  const text = [headers, ...rows.map((r) => headers.map((_, i) => cellText(r[i])))];
  const widths = headers.map((_, i) => Math.max(...text.map((r) => r[i].length)));
  return text.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('   ').trimEnd()).join('\n') + '\n';
}

function cellText(c: Cell): string {
  if (c === null || c === undefined || c === '') return '-';
  return String(c).replace(/\s+/g, ' ');
}

/** "42s ago", "5m ago", "3h ago", "2d ago"; "-" when never. */
export function timeAgo(iso: string | null | undefined, now: Date = new Date()): string {
  if (!iso) return '-';
  const then = Date.parse(iso);
  if (Number.isNaN(then)) return '-';
  const s = Math.max(0, Math.round((now.getTime() - then) / 1000));
  if (s < 120) return `${s}s ago`;
  if (s < 7200) return `${Math.floor(s / 60)}m ago`;
  if (s < 172_800) return `${Math.floor(s / 3600)}h ago`;
  return `${Math.floor(s / 86_400)}d ago`;
}

export function formatJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Where output goes; commands take it as a parameter so tests can capture it. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};
