import { X509Certificate } from 'node:crypto';
import { refuse } from './input-validation.error';

/** A CA bundle as kubeconfigs carry it is a few KiB; the whole Mozilla root store is ~220 KiB. */
export const CA_DATA_MAX = 256 * 1024;
export const CA_CERTIFICATES_MAX = 200;
const BLOCK = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;
const BASE64 = /^[A-Za-z0-9+/=\s]+$/;

/**
 * caData: base64 of a PEM bundle (as in a kubeconfig's certificate-authority-data), or the PEM
 * itself. Every certificate in it must parse as X.509; the bundle is returned in canonical PEM.
 * Null when absent or blank.
 */
export function caBundle(raw: string | null | undefined, field: string): string | null {
  if (raw === null || raw === undefined || raw.trim() === '') return null;
  if (raw.length > CA_DATA_MAX) refuse(field, `must be at most ${CA_DATA_MAX / 1024} KiB`);
  let text: string;
  if (raw.includes('-----BEGIN')) text = raw;
  else if (BASE64.test(raw)) text = Buffer.from(raw.replace(/\s+/g, ''), 'base64').toString('latin1');
  else return refuse(field, 'must be a PEM certificate bundle, base64-encoded');
  const blocks = [...text.matchAll(BLOCK)].map((m) => m[0]);
  if (blocks.length === 0) refuse(field, 'must be a PEM certificate bundle, base64-encoded');
  if (blocks.length > CA_CERTIFICATES_MAX) refuse(field, `must hold at most ${CA_CERTIFICATES_MAX} certificates`);
  const pems = blocks.map((block, i) => {
    try {
      return new X509Certificate(block).toString();
    } catch {
      return refuse(field, blocks.length === 1 ? 'is not an X.509 certificate' : `certificate ${i + 1} is not an X.509 certificate`);
    }
  });
  return pems.map((p) => (p.endsWith('\n') ? p : `${p}\n`)).join('');
}
