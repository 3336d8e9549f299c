import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InputValidationError, apiServerUrl } from './index';

const F = 'input.apiServerUrl';
const refused = (err: unknown) => err instanceof InputValidationError && err.field === F;

test('API server URLs are https with a path prefix kept; http only with the development flag', () => {
  assert.equal(apiServerUrl('https://127.0.0.1:6443/clusters/foo/', { allowHttp: false }, F), 'https://127.0.0.1:6443/clusters/foo');
  assert.equal(apiServerUrl('https://api.prod.example.invalid', { allowHttp: false }, F), 'https://api.prod.example.invalid');
  assert.equal(apiServerUrl('https://[::1]:6443', { allowHttp: false }, F), 'https://[::1]:6443');
  assert.throws(() => apiServerUrl('http://127.0.0.1:8080', { allowHttp: false }, F), /must be an https/);
  assert.equal(apiServerUrl('http://127.0.0.1:8080', { allowHttp: true }, F), 'http://127.0.0.1:8080');
  for (const bad of ['ftp://x.invalid', 'javascript:alert(1)', 'file:///etc/passwd', 'not a url', 'https://u:p@h.invalid', 'https://h.invalid/?q=1', 'https://h.invalid/#x']) {
    assert.throws(() => apiServerUrl(bad, { allowHttp: true }, F), refused, bad);
  }
});

test('a 70,000-character hostname, a 64-character label or a 2,049-character URL is refused', () => {
  assert.throws(() => apiServerUrl(`https://${'h'.repeat(70_000)}.invalid`, { allowHttp: false }, F), /at most 2048/);
  assert.throws(() => apiServerUrl(`https://${'h'.repeat(64)}.invalid`, { allowHttp: false }, F), /DNS name/);
  assert.throws(() => apiServerUrl(`https://${Array(70).fill('h'.repeat(10)).join('.')}.invalid`, { allowHttp: false }, F), /DNS name/);
  assert.throws(() => apiServerUrl(`https://h.invalid/${'p'.repeat(2040)}`, { allowHttp: false }, F), /at most 2048/);
  assert.throws(() => apiServerUrl('https://h\u0000.invalid', { allowHttp: false }, F), refused);
});
