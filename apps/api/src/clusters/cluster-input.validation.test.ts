import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_CA_PEM } from '@flotilla/testing';
import { decodeCaData, validateApiServerUrl, validateClusterName, validateToken } from './cluster-input.validation';

test('cluster names follow DNS label rules', () => {
  assert.equal(validateClusterName('tkg-prod-01'), 'tkg-prod-01');
  assert.throws(() => validateClusterName('Prod Cluster'), /input\.name/);
  assert.throws(() => validateClusterName('-x'), /input\.name/);
});

test('API server URLs must be https and carry no credentials; path prefixes are kept', () => {
  assert.equal(validateApiServerUrl('https://127.0.0.1:6443/clusters/foo/', false), 'https://127.0.0.1:6443/clusters/foo');
  assert.throws(() => validateApiServerUrl('http://10.0.0.1', false), /must be an https/);
  assert.equal(validateApiServerUrl('http://127.0.0.1:8080', true), 'http://127.0.0.1:8080');
  assert.throws(() => validateApiServerUrl('not a url', false), /input\.apiServerUrl: is not a valid URL/);
  assert.throws(() => validateApiServerUrl('https://u:p@h', false), /credentials/);
});

test('caData accepts base64 PEM and refuses anything else', () => {
  // A real certificate: caData must now parse as X.509, not merely look like PEM.
  const pem = TEST_CA_PEM;
  assert.equal(decodeCaData(Buffer.from(pem).toString('base64')), pem);
  assert.throws(() => decodeCaData(Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64')), /input\.caData: is not an X\.509/);
  assert.equal(decodeCaData(null), null);
  assert.throws(() => decodeCaData('bm90IGEgY2VydA=='), /input\.caData/);
});

test('tokens are non-trivial and free of whitespace', () => {
  assert.throws(() => validateToken('abc'), /input\.token/);
  assert.equal(validateToken(' eyJhbGciOi.abc.def '), 'eyJhbGciOi.abc.def');
});
