import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConfigFile } from '../cli-config';
import { run } from '../main';
import { captureIo, startFakeGraphqlApi } from '../testing/fake-graphql-api';

const viewer = { viewer: { role: 'OPERATOR', organization: { id: 'o1', name: 'Acme' } } };

test('login verifies the token, stores it 0600 and never prints it; whoami then uses it', async () => {
  const api = await startFakeGraphqlApi({
    CliWhoAmI: () => ({ data: viewer }),
  });
  const path = join(mkdtempSync(join(tmpdir(), 'flotilla-login-')), 'flotilla', 'config.json');
  try {
    const c = captureIo();
    assert.equal(await run(['login', '--api', api.url, '--token', 'flt_secret_1'], { io: c.io, env: { FLOTILLA_CONFIG: path } }), 0);
    assert.match(c.out, /Logged in to http:\/\/127\.0\.0\.1:\d+ as OPERATOR of organization "Acme"/);
    assert.ok(!(c.out + c.err).includes('flt_secret_1'));
    assert.equal(api.requests[0].authorization, 'Bearer flt_secret_1');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(readConfigFile(path), { api: api.url, token: 'flt_secret_1' });

    const w = captureIo();
    assert.equal(await run(['whoami'], { io: w.io, env: { FLOTILLA_CONFIG: path } }), 0);
    assert.equal(w.out, 'role: OPERATOR\norganization: Acme (o1)\n');
    assert.equal(api.requests[1].authorization, 'Bearer flt_secret_1');
  } finally {
    await api.stop();
  }
});

test('a rejected token is not stored and exits 3 (cannot authenticate)', async () => {
  const api = await startFakeGraphqlApi({ CliWhoAmI: () => ({ errors: [{ message: 'invalid token', extensions: { code: 'UNAUTHENTICATED' } }] }) });
  const path = join(mkdtempSync(join(tmpdir(), 'flotilla-login-')), 'config.json');
  try {
    const c = captureIo();
    assert.equal(await run(['login', '--api', api.url, '--token', 'flt_bad'], { io: c.io, env: { FLOTILLA_CONFIG: path } }), 3);
    assert.match(c.err, /not logged in or token expired\/revoked/);
    assert.ok(!existsSync(path));
  } finally {
    await api.stop();
  }
});
