import { CronExpressionParser } from 'cron-parser';

/** A cron expression or time zone that cannot be used, with words an operator can act on. */
export class ScheduleError extends Error {
  constructor(
    readonly field: 'cron' | 'timezone',
    message: string,
  ) {
    super(message);
  }
}

const MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);
// IANA zone names: Area/Location[/Sub], or UTC-style single names. Offsets ("+01:00") are refused:
// they do not follow daylight-saving changes, which is what an operator choosing a zone expects.
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * Validates a time zone against the runtime's IANA database and returns its canonical spelling
 * as given (e.g. "Europe/Berlin").
 */
export function validateTimezone(timezone: string): string {
  const tz = timezone.trim();
  if (!tz) throw new ScheduleError('timezone', 'must be an IANA time zone such as Europe/Berlin or UTC');
  if (!ZONE_NAME.test(tz)) throw new ScheduleError('timezone', `"${tz}" is not an IANA time zone name (such as Europe/Berlin or UTC); offsets are not accepted`);
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    throw new ScheduleError('timezone', `"${tz}" is not a known IANA time zone (such as Europe/Berlin or UTC)`);
  }
  return tz;
}

/**
 * Validates a standard five-field cron expression (minute hour day-of-month month day-of-week) or
 * a macro such as @daily. Seconds fields are refused: a scan per second is never what is meant.
 */
export function validateCron(cron: string): string {
  const expr = cron.trim().replace(/\s+/g, ' ');
  if (!expr) throw new ScheduleError('cron', 'must be a cron expression such as "0 2 * * *" (minute hour day-of-month month day-of-week)');
  if (expr.startsWith('@')) {
    if (!MACROS.has(expr.toLowerCase())) throw new ScheduleError('cron', `unknown macro "${expr}" (use ${[...MACROS].join(', ')})`);
  } else {
    const fields = expr.split(' ').length;
    if (fields !== 5) {
      throw new ScheduleError('cron', `"${expr}" has ${fields} fields; a cron expression has 5: minute hour day-of-month month day-of-week`);
    }
  }
  try {
    CronExpressionParser.parse(expr, { tz: 'UTC', strict: false });
  } catch (err) {
    throw new ScheduleError('cron', `"${expr}" is not a valid cron expression: ${(err as Error).message}`);
  }
  return expr;
}

/**
 * The first time strictly after `after` at which the (validated) expression fires, evaluated in
 * the time zone: "0 2 * * *" in Europe/Berlin is 02:00 Berlin time in winter and summer alike.
 * A wall-clock time that a spring-forward skips fires once, right after the gap; one that a
 * fall-back repeats fires once.
 */
export function nextRunAfter(cron: string, timezone: string, after: Date): Date {
  const it = CronExpressionParser.parse(cron, { currentDate: after, tz: timezone });
  let next = it.next().toDate();
  // Guard against a library returning `after` itself (second-precision rounding).
  while (next.getTime() <= after.getTime()) next = it.next().toDate();
  return next;
}
