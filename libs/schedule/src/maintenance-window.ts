import { nextRunAfter } from './cron-schedule';

export interface MaintenanceWindowSpec {
  /** A validated cron expression: when the window opens. */
  cron: string;
  durationMinutes: number;
  /** A validated IANA time zone the cron is read in. */
  timezone: string;
}

/**
 * Whether a maintenance window is open at `now`: it opened at a firing of its cron and stays open
 * for durationMinutes. The first firing after (now − duration) is the one that could still be open;
 * when it lies in the future, that is when the window opens next.
 */
export function maintenanceWindowAt(w: MaintenanceWindowSpec, now: Date): { open: boolean; opensAt: Date; closesAt: Date } {
  const durationMs = w.durationMinutes * 60_000;
  const candidate = nextRunAfter(w.cron, w.timezone, new Date(now.getTime() - durationMs));
  if (candidate.getTime() <= now.getTime()) return { open: true, opensAt: candidate, closesAt: new Date(candidate.getTime() + durationMs) };
  return { open: false, opensAt: candidate, closesAt: new Date(candidate.getTime() + durationMs) };
}
