import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configPath, readConfigFile, resolveCredentials, writeConfigFile } from './cli-config';

const tmp = () => mkdtempSync(join(tmpdir(), 'flotilla-cli-config-'));

test('the config path follows FLOTILLA_CONFIG, then XDG_CONFIG_HOME, then ~/.config', () => {
  assert.equal(configPath({ FLOTILLA_CONFIG: '/x/c.json', XDG_CONFIG_HOME: '/xdg' }), '/x/c.json');
  assert.equal(configPath({ XDG_CONFIG_HOME: '/xdg' }), '/xdg/flotilla/config.json');
  assert.match(configPath({}), /\.config\/flotilla\/config\.json$/);
});

test('the config is written 0600 in a 0700 directory, even under a permissive umask', () => {
  const path = join(tmp(), 'flotilla', 'config.json');
  const previous = process.umask(0o000);
  try {
    writeConfigFile(path, { api: 'http://127.0.0.1:4000', token: 'flt_secret' });
  } finally {
    process.umask(previous);
  }
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.equal(statSync(join(path, '..')).mode & 0o777, 0o700);
  assert.deepEqual(readConfigFile(path), { api: 'http://127.0.0.1:4000', token: 'flt_secret' });
});

test('rewriting a config that was loosened makes it 0600 again', () => {
  const path = join(tmp(), 'config.json');
  writeFileSync(path, '{}', { mode: 0o644 });
  chmodSync(path, 0o644);
  writeConfigFile(path, { api: 'http://a', token: 't' });
  assert.equal(statSync(path).mode & 0o777, 0o600);
});

test('a config file that group or others can read is refused with the command that fixes it', () => {
  const path = join(tmp(), 'config.json');
  writeConfigFile(path, { api: 'http://a', token: 'flt_secret' });
  for (const mode of [0o644, 0o640, 0o604, 0o660]) {
    chmodSync(path, mode);
    assert.throws(
      () => readConfigFile(path),
      (err: Error) => err.message.includes(`chmod 600 ${path}`) && err.message.includes(mode.toString(8)) && !err.message.includes('flt_secret'),
    );
  }
  chmodSync(path, 0o600);
  assert.equal(readConfigFile(path)?.token, 'flt_secret');
});

test('a missing config is "not logged in"; env overrides the stored values', () => {
  const dir = tmp();
  const path = join(dir, 'config.json');
  assert.equal(readConfigFile(path), undefined);
  assert.throws(() => resolveCredentials({ FLOTILLA_CONFIG: path }), /not logged in: run flotilla login/);
  writeConfigFile(path, { api: 'http://stored', token: 'stored-token' });
  assert.deepEqual(resolveCredentials({ FLOTILLA_CONFIG: path }), { api: 'http://stored', token: 'stored-token' });
  assert.deepEqual(resolveCredentials({ FLOTILLA_CONFIG: path, FLOTILLA_TOKEN: 'env-token' }), { api: 'http://stored', token: 'env-token' });
  // With both in the environment the file is not read at all, so a bad one does not stand in the way.
  chmodSync(path, 0o644);
  assert.deepEqual(resolveCredentials({ FLOTILLA_CONFIG: path, FLOTILLA_API_URL: 'http://env', FLOTILLA_TOKEN: 'e' }), { api: 'http://env', token: 'e' });
  assert.throws(() => resolveCredentials({ FLOTILLA_CONFIG: path, FLOTILLA_TOKEN: 'e' }), /chmod 600/);
});

test('a corrupt config says to log in again', () => {
  const path = join(tmp(), 'config.json');
  writeFileSync(path, 'not json', { mode: 0o600 });
  assert.throws(() => readConfigFile(path), /run flotilla login again/);
});
