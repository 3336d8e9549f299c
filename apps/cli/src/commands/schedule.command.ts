import { Command } from 'commander';
import { CliContext, apiClient } from '../cli-context';
import { emit, formatFields, outputOption } from '../output';

interface ScanSchedule {
  cron: string;
  timezone: string;
  enabled: boolean;
  nextRunAt: string | null;
}

export function registerScheduleCommands(program: Command, ctx: CliContext): void {
  const schedule = program.command('schedule').description("the organization's compliance scan schedule");

  schedule
    .command('get')
    .description('show the scan schedule and its next run')
    .addOption(outputOption())
    .action(async (opts: { output: string }) => {
      const { scanSchedule } = await apiClient(ctx).request<{ scanSchedule: ScanSchedule | null }>('ScanSchedule');
      emit(ctx.io, opts.output, scanSchedule, () => (scanSchedule ? formatSchedule(scanSchedule) : 'No scan schedule: set one with flotilla schedule set --cron "0 3 * * *"\n'));
    });

  schedule
    .command('set')
    .description('set the scan schedule (ADMIN): a cron expression in an IANA time zone')
    .requiredOption('--cron <expression>', 'five fields (minute hour day-of-month month day-of-week) or a macro such as @daily')
    .option('--timezone <zone>', 'IANA time zone, e.g. Europe/Berlin', 'UTC')
    .option('--disable', 'keep the schedule but stop running it')
    .addOption(outputOption())
    .action(async (opts: { cron: string; timezone: string; disable?: boolean; output: string }) => {
      const { setScanSchedule } = await apiClient(ctx).request<{ setScanSchedule: ScanSchedule }>('SetScanSchedule', {
        input: { cron: opts.cron, timezone: opts.timezone, enabled: !opts.disable },
      });
      emit(ctx.io, opts.output, setScanSchedule, () => `schedule set\n${formatSchedule(setScanSchedule)}`);
    });
}

function formatSchedule(s: ScanSchedule): string {
  return formatFields([
    ['Cron', s.cron],
    ['Time zone', s.timezone],
    ['Enabled', s.enabled ? 'yes' : 'no'],
    ['Next run', s.enabled ? s.nextRunAt : 'never (disabled)'],
  ]);
}
