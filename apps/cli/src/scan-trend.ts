/** A finished scan as the trend line reads it. */
export interface ScanTrendPoint {
  id: string;
  status: string;
  createdAt: string;
  summary: { compliant: number } | null;
}

/** The scan finished before `current` (newest first in `recent`), or null. */
export function previousScan(current: ScanTrendPoint, recent: readonly ScanTrendPoint[]): ScanTrendPoint | null {
  const at = new Date(current.createdAt).getTime();
  return recent.find((s) => s.id !== current.id && s.status === 'SUCCEEDED' && s.summary && new Date(s.createdAt).getTime() <= at) ?? null;
}

/** "trend: 5 compliant clusters now, 4 at the previous scan (+1)". */
export function scanTrendLine(current: ScanTrendPoint, previous: ScanTrendPoint | null): string {
  const now = current.summary?.compliant ?? 0;
  const clusters = (n: number) => `${n} compliant cluster${n === 1 ? '' : 's'}`;
  if (!previous?.summary) return `trend: ${clusters(now)} now (no previous scan to compare with)`;
  const before = previous.summary.compliant;
  const delta = now - before;
  return `trend: ${clusters(now)} now, ${before} at the previous scan (${delta > 0 ? `+${delta}` : delta < 0 ? `${delta}` : '±0'})`;
}
