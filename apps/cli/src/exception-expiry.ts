import { CliError, EXIT_USAGE } from './cli-error';

const DURATION = /^(\d{1,3})d$/;

/** `--expires`: an ISO date/time, or a number of days from now ("30d"). */
export function parseExpiry(text: string, now: Date = new Date()): Date {
  const days = DURATION.exec(text.trim());
  if (days) return new Date(now.getTime() + Number(days[1]) * 86_400_000);
  const at = new Date(text);
  if (!/^\d{4}-\d{2}-\d{2}/.test(text.trim()) || Number.isNaN(at.getTime())) {
    throw new CliError(`--expires ${JSON.stringify(text)}: give a date (2026-03-31, 2026-03-31T18:00:00Z) or days from now (30d)`, EXIT_USAGE);
  }
  return at;
}
