import { badInput } from '../common/domain.errors';

const CLUSTER_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

export function validateClusterName(name: string, field = 'input.name'): string {
  const n = name.trim();
  if (!CLUSTER_NAME.test(n)) {
    throw badInput(field, `"${name}" is not a valid cluster name (1-63 lowercase letters, digits, '-' or '.', starting and ending alphanumeric)`);
  }
  return n;
}

/** An https URL (http only when the insecure development flag is on), with no credentials or query in it. */
export function validateApiServerUrl(raw: string, allowHttp: boolean, field = 'input.apiServerUrl'): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw badInput(field, 'is not a valid URL');
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) throw badInput(field, 'must be an https:// URL');
  if (url.username || url.password) throw badInput(field, 'must not contain credentials');
  if (url.search || url.hash) throw badInput(field, 'must not contain a query or fragment');
  return url.toString().replace(/\/+$/, '');
}

/** caData is base64 of a PEM bundle (as in a kubeconfig's certificate-authority-data); plain PEM is accepted too. */
export function decodeCaData(caData: string | null | undefined, field = 'input.caData'): string | null {
  if (caData === null || caData === undefined || caData.trim() === '') return null;
  const text = caData.includes('-----BEGIN') ? caData : Buffer.from(caData.trim(), 'base64').toString('utf8');
  if (!/-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----/.test(text)) {
    throw badInput(field, 'must be a PEM certificate bundle, base64-encoded');
  }
  return text;
}

export function validateToken(token: string, field = 'input.token'): string {
  const t = token.trim();
  if (t.length < 8 || t.length > 16_384 || /\s/.test(t)) throw badInput(field, 'must be a bearer token (no whitespace, 8 to 16384 characters)');
  return t;
}
