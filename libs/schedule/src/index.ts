// Pure schedule logic: cron and time zone validation, next run times across daylight-saving changes.
export { ScheduleError, nextRunAfter, validateCron, validateTimezone } from './cron-schedule';
// When a failed cluster sync is tried again.
export { syncBackoff, syncRetryDelaySeconds, unreachableWithinSeconds } from './sync-backoff';
export type { SyncBackoff } from './sync-backoff';
// Maintenance windows (cron + duration + zone): open or not, and when next.
export { maintenanceWindowAt } from './maintenance-window';
export type { MaintenanceWindowSpec } from './maintenance-window';
