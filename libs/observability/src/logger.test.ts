import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { redactText } from './logger';

test('bearer tokens and Flotilla tokens are masked in free text', () => {
  const flt = `flt_${'a'.repeat(12)}_${'b'.repeat(43)}`;
  const out = redactText(`GET /api failed with header Authorization: Bearer eyJhbGci.x.y and ${flt}`);
  assert.ok(!out.includes('eyJhbGci'));
  assert.ok(!out.includes(flt));
  assert.match(out, /Bearer \[REDACTED\]/);
});

test('webhook signing secrets are masked in free text', () => {
  const secret = `whsec_${'x'.repeat(43)}`;
  assert.equal(redactText(`opening ${secret} failed`), 'opening whsec_[REDACTED] failed');
});

test('secret fields are censored in structured log lines', () => {
  let line = '';
  const sink = new Writable({ write: (chunk, _e, cb) => ((line += chunk.toString()), cb()) });
  const logger = pino({ redact: { paths: ['token', '*.token'], censor: '[REDACTED]' } }, sink);
  logger.info({ token: 'sekret', input: { token: 'sekret2', name: 'c1' } }, 'attach');
  assert.ok(!line.includes('sekret'));
  assert.match(line, /"name":"c1"/);
});
