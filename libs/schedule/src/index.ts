// Pure schedule logic: cron and time zone validation, next run times across daylight-saving changes.
export { ScheduleError, nextRunAfter, validateCron, validateTimezone } from './cron-schedule';
