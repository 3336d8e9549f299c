import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError } from '@flotilla/validation';
import { addressRefusal, webhookUrl } from './webhook-url';

const prod = { allowHttpLoopback: false };
const dev = { allowHttpLoopback: true };

function refusal(raw: string, opts = prod): string {
  try {
    webhookUrl(raw, opts, 'input.url');
  } catch (err) {
    assert.ok(err instanceof InputValidationError);
    assert.equal(err.field, 'input.url');
    assert.ok(!err.message.includes(raw) || raw.length < 8, 'the reason does not repeat the value');
    return err.reason;
  }
  return 'accepted';
}

test('https URLs to public hosts are accepted as given (path and query kept)', () => {
  assert.equal(webhookUrl('https://hooks.example.com/flotilla?team=a', prod, 'input.url'), 'https://hooks.example.com/flotilla?team=a');
  assert.equal(webhookUrl('https://hooks.example.com:8443/x', prod, 'input.url'), 'https://hooks.example.com:8443/x');
  assert.equal(webhookUrl('https://8.8.8.8/x', prod, 'input.url'), 'https://8.8.8.8/x');
});

test('http is refused, except to localhost, 127.0.0.1 or ::1 with the development flag', () => {
  assert.match(refusal('http://hooks.example.com/x'), /https/);
  assert.match(refusal('http://127.0.0.1:9000/x'), /https/);
  assert.match(refusal('http://hooks.example.com/x', dev), /only for localhost/);
  assert.match(refusal('http://10.0.0.5/x', dev), /only for localhost/);
  for (const u of ['http://127.0.0.1:9000/hook', 'http://localhost:9000/hook', 'http://[::1]:9000/hook', 'https://127.0.0.1/hook']) {
    assert.equal(webhookUrl(u, dev, 'input.url'), u);
  }
});

test('loopback is refused in production even over https', () => {
  assert.match(refusal('https://127.0.0.1/x'), /loopback/);
  assert.match(refusal('https://localhost/x'), /loopback/);
  assert.match(refusal('https://[::1]/x'), /loopback/);
  assert.match(refusal('https://foo.localhost/x', dev), /loopback/);
});

test('other schemes, credentials, fragments, private and link-local literals and junk are refused, naming the field', () => {
  assert.match(refusal('ftp://hooks.example.com/x'), /https/);
  assert.match(refusal('file:///etc/passwd'), /https/);
  assert.match(refusal('javascript:alert(1)'), /https/);
  assert.match(refusal('https://user:pass@hooks.example.com/x'), /credentials/);
  assert.match(refusal('https://hooks.example.com/x#frag'), /fragment/);
  assert.match(refusal('https://10.1.2.3/x'), /private/);
  assert.match(refusal('https://192.168.1.1/x'), /private/);
  assert.match(refusal('https://169.254.169.254/latest/meta-data'), /link-local/);
  assert.match(refusal('https://[fe80::1]/x'), /link-local/);
  assert.match(refusal('https://[::ffff:10.0.0.1]/x'), /private/);
  assert.match(refusal('https://0.0.0.0/x', dev), /unspecified/);
  assert.match(refusal('not a url'), /not a valid URL/);
  assert.match(refusal(''), /required/);
  assert.match(refusal(`https://example.com/${'a'.repeat(2100)}`), /2048/);
});

test('resolved addresses: public ones pass; loopback only in development; private, link-local, CGNAT, multicast never', () => {
  assert.equal(addressRefusal('93.184.216.34', prod), null);
  assert.equal(addressRefusal('2606:4700::1111', prod), null);
  assert.equal(addressRefusal('127.0.0.1', dev), null);
  assert.equal(addressRefusal('::1', dev), null);
  assert.equal(addressRefusal('127.0.0.53', prod), 'a loopback address');
  assert.equal(addressRefusal('::1', prod), 'a loopback address');
  for (const ip of ['10.0.0.1', '172.16.5.4', '192.168.0.10', 'fd00::1', '::ffff:192.168.0.1']) assert.match(addressRefusal(ip, dev)!, /private/);
  for (const ip of ['169.254.169.254', 'fe80::1']) assert.match(addressRefusal(ip, dev)!, /link-local/);
  assert.match(addressRefusal('100.64.0.1', prod)!, /carrier-grade/);
  assert.match(addressRefusal('224.0.0.1', prod)!, /multicast/);
  assert.match(addressRefusal('0.0.0.0', dev)!, /unspecified/);
});
