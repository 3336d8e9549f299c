import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiHarness, startApiHarness } from '../../../api/src/testing/api-test-harness';
import { run } from '../main';
import { captureIo } from '../testing/fake-graphql-api';

const skip = !process.env.DATABASE_URL && 'needs the per-run DATABASE_URL of npm test';

describe('flotilla webhook against the real API', { skip }, () => {
  let api: ApiHarness;
  let env: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'flotilla-cli-webhook-'));

  before(async () => {
    api = await startApiHarness({ FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK: 'true' });
    const org = await api.newOrganization();
    env = { FLOTILLA_API_URL: api.url, FLOTILLA_TOKEN: org.token, FLOTILLA_CONFIG: join(dir, 'absent.json') };
  });
  after(async () => {
    await api?.close();
  });

  async function cli(...args: string[]) {
    const c = captureIo();
    const code = await run(args, { io: c.io, env });
    return { code, out: c.out, err: c.err };
  }

  test('create prints only the secret on stdout; list shows it never; delete by URL; bad input exits 1 naming the field, an unknown event exits 2', async () => {
    const created = await cli('webhook', 'create', '--url', 'http://127.0.0.1:9/hook', '--event', 'SCAN_FINISHED', 'UPGRADE_FINISHED');
    assert.equal(created.code, 0, created.err);
    const secret = created.out.trim();
    assert.match(secret, /^whsec_[A-Za-z0-9_-]{43}$/);
    assert.match(created.err, /shown only once/);

    const listed = await cli('webhook', 'list', '-o', 'json');
    assert.equal(listed.code, 0, listed.err);
    assert.ok(!listed.out.includes(secret));
    const hooks = JSON.parse(listed.out);
    assert.deepEqual(hooks.map((w: { url: string; events: string[] }) => [w.url, w.events]), [['http://127.0.0.1:9/hook', ['SCAN_FINISHED', 'UPGRADE_FINISHED']]]);
    const table = await cli('webhook', 'list');
    assert.match(table.out, /^ID\s+URL\s+EVENTS\s+LAST DELIVERY\s+STATUS\s+FAILING SINCE/m);

    const refused = await cli('webhook', 'create', '--url', 'http://hooks.flotilla.invalid/hook', '--event', 'SCAN_FINISHED');
    assert.equal(refused.code, 1);
    assert.match(refused.err, /input\.url/);
    assert.equal((await cli('webhook', 'create', '--url', 'https://hooks.flotilla.invalid/x', '--event', 'NOPE')).code, 2);

    const deleted = await cli('webhook', 'delete', 'http://127.0.0.1:9/hook');
    assert.equal(deleted.code, 0, deleted.err);
    assert.match(deleted.out, new RegExp(`webhook/${hooks[0].id} deleted`));
    assert.equal((await cli('webhook', 'delete', hooks[0].id)).code, 1);
    assert.deepEqual(JSON.parse((await cli('webhook', 'list', '-o', 'json')).out), []);
  });
});
