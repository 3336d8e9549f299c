import { apiServerUrl, bearerToken, caBundle, clusterName, tokenExpiry } from '@flotilla/validation';

// The cluster inputs' fields, each checked by its rule in libs/validation.

export function validateClusterName(name: string, field = 'input.name'): string {
  return clusterName(name, field);
}

/** An https URL (http only when the insecure development flag is on), with no credentials or query in it. */
export function validateApiServerUrl(raw: string, allowHttp: boolean, field = 'input.apiServerUrl'): string {
  return apiServerUrl(raw, { allowHttp }, field);
}

/** caData is base64 of a PEM bundle (as in a kubeconfig's certificate-authority-data); plain PEM is accepted too. Every certificate must parse. */
export function decodeCaData(caData: string | null | undefined, field = 'input.caData'): string | null {
  return caBundle(caData, field);
}

export function validateToken(token: string, field = 'input.token'): string {
  return bearerToken(token, field);
}

/** A short-lived token's expiry as the client reports it (checked against the token's own exp claim); null for a long-lived token. */
export function validateTokenExpiresAt(expiresAt: Date | null | undefined, token: string, now = new Date(), field = 'input.tokenExpiresAt'): Date | null {
  return expiresAt === null || expiresAt === undefined ? null : tokenExpiry(expiresAt, token, now, field);
}
