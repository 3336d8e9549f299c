import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ScheduleError, nextRunAfter, validateCron, validateTimezone } from './cron-schedule';

const at = (iso: string) => new Date(iso);
const runs = (cron: string, tz: string, fromIso: string, n: number) => {
  const out: string[] = [];
  let t = at(fromIso);
  for (let i = 0; i < n; i++) {
    t = nextRunAfter(cron, tz, t);
    out.push(t.toISOString());
  }
  return out;
};

test('a daily 02:00 Berlin schedule stays at 02:00 local time across the autumn change, and fires once on the night 02:00 repeats', () => {
  assert.deepEqual(runs('0 2 * * *', 'Europe/Berlin', '2026-10-23T12:00:00Z', 3), [
    '2026-10-24T00:00:00.000Z', // CEST, UTC+2
    '2026-10-25T00:00:00.000Z', // 02:00 CEST, the first of the two 02:00s that night (clocks go back at 03:00 CEST)
    '2026-10-26T01:00:00.000Z', // CET, UTC+1
  ]);
});

test('a daily 03:00 Berlin schedule moves from 02:00 to 01:00 UTC at the spring change', () => {
  assert.deepEqual(runs('0 3 * * *', 'Europe/Berlin', '2026-03-28T00:00:00Z', 2), ['2026-03-28T02:00:00.000Z', '2026-03-29T01:00:00.000Z']);
});

test('a wall-clock time that spring-forward skips (02:30 Berlin on 29 March) still fires exactly once that day', () => {
  const r = runs('30 2 * * *', 'Europe/Berlin', '2026-03-28T12:00:00Z', 2);
  assert.equal(r.filter((x) => x.startsWith('2026-03-29')).length, 1);
  assert.equal(r[1], '2026-03-30T00:30:00.000Z');
});

test('a wall-clock time that fall-back repeats (01:30 New York on 1 November) fires once, not twice', () => {
  const r = runs('30 1 * * *', 'America/New_York', '2026-10-31T12:00:00Z', 3);
  assert.deepEqual(r, ['2026-11-01T05:30:00.000Z', '2026-11-02T06:30:00.000Z', '2026-11-03T06:30:00.000Z']);
});

test('New York spring-forward: a 09:00 schedule moves from 14:00 to 13:00 UTC', () => {
  assert.deepEqual(runs('0 9 * * 1-5', 'America/New_York', '2026-03-06T00:00:00Z', 2), ['2026-03-06T14:00:00.000Z', '2026-03-09T13:00:00.000Z']);
});

test('every minute: consecutive runs are 60 seconds apart and strictly after the given time', () => {
  assert.deepEqual(runs('* * * * *', 'UTC', '2026-01-01T00:00:00Z', 3), ['2026-01-01T00:01:00.000Z', '2026-01-01T00:02:00.000Z', '2026-01-01T00:03:00.000Z']);
  assert.equal(nextRunAfter('* * * * *', 'UTC', at('2026-01-01T00:00:30.500Z')).toISOString(), '2026-01-01T00:01:00.000Z');
});

test('cron expressions: five fields or a macro; bad ones are errors naming the problem', () => {
  assert.equal(validateCron(' 0  2 * * * '), '0 2 * * *');
  assert.equal(validateCron('@daily'), '@daily');
  assert.equal(validateCron('*/15 * * * 1-5'), '*/15 * * * 1-5');
  for (const [bad, why] of [
    ['61 * * * *', /not a valid cron expression/],
    ['* * *', /has 3 fields/],
    ['* * * * * *', /has 6 fields/],
    ['@sometimes', /unknown macro/],
    ['', /must be a cron expression/],
    ['0 2 * * mon-xyz', /not a valid cron expression/],
  ] as const) {
    assert.throws(
      () => validateCron(bad),
      (e: unknown) => e instanceof ScheduleError && e.field === 'cron' && why.test(e.message),
      bad,
    );
  }
});

test('time zones: IANA names pass, unknown names and offsets are errors', () => {
  assert.equal(validateTimezone('Europe/Berlin'), 'Europe/Berlin');
  assert.equal(validateTimezone('UTC'), 'UTC');
  assert.equal(validateTimezone('America/Argentina/Buenos_Aires'), 'America/Argentina/Buenos_Aires');
  for (const bad of ['Mars/Olympus_Mons', '+01:00', 'Europe/Berlin; DROP', '']) {
    assert.throws(() => validateTimezone(bad), (e: unknown) => e instanceof ScheduleError && e.field === 'timezone', bad);
  }
});
