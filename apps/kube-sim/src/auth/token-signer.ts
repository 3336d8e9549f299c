/**
 * Issues and verifies every bearer token kube-sim hands out. Keys derive from one fleet secret and
 * the cluster name, so a token from one simulated cluster is worthless on another, and the same
 * seed gives the same tokens across restarts (a product that stored credentials keeps working).
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface ServiceAccountClaims {
  sub: string;
  namespace: string;
  serviceAccount: string;
  serviceAccountUid: string;
  /** Legacy token Secret the token was issued for (revoked when the Secret goes). */
  secretName?: string;
  /** Seconds since the epoch; absent on legacy Secret tokens. */
  exp?: number;
  iat?: number;
  audiences?: string[];
}

/** Names the issuing cluster, so a request outside /clusters/<name> (kubectl get --raw /readyz) can be routed. */
export const CLUSTER_CLAIM = 'kube-sim.flotilla.dev/cluster';

/** The cluster a service-account token claims to come from (unverified; verification happens on that cluster). */
export function claimedCluster(token: string): string | undefined {
  const parts = token.split('.');
  if (parts.length !== 3) return undefined;
  try {
    const p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8')) as Record<string, unknown>;
    return typeof p[CLUSTER_CLAIM] === 'string' ? (p[CLUSTER_CLAIM] as string) : undefined;
  } catch {
    return undefined;
  }
}

function b64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

export class TokenSigner {
  private readonly clusterKeys = new Map<string, Buffer>();

  constructor(private readonly secret: Buffer) {}

  adminToken(cluster: string): string {
    return `kubesim-admin.${createHmac('sha256', this.secret).update(`admin:${cluster}`).digest('base64url').slice(0, 40)}`;
  }

  signServiceAccount(cluster: string, claims: ServiceAccountClaims): string {
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT', kid: this.keyId(cluster) }));
    const payload: Record<string, unknown> =
      claims.exp === undefined
        ? {
            iss: 'kubernetes/serviceaccount',
            'kubernetes.io/serviceaccount/namespace': claims.namespace,
            'kubernetes.io/serviceaccount/secret.name': claims.secretName,
            'kubernetes.io/serviceaccount/service-account.name': claims.serviceAccount,
            'kubernetes.io/serviceaccount/service-account.uid': claims.serviceAccountUid,
            sub: claims.sub,
            [CLUSTER_CLAIM]: cluster,
          }
        : {
            aud: claims.audiences ?? ['https://kubernetes.default.svc.cluster.local'],
            exp: claims.exp,
            iat: claims.iat,
            nbf: claims.iat,
            iss: 'https://kubernetes.default.svc.cluster.local',
            'kubernetes.io': { namespace: claims.namespace, serviceaccount: { name: claims.serviceAccount, uid: claims.serviceAccountUid } },
            sub: claims.sub,
            [CLUSTER_CLAIM]: cluster,
          };
    const body = `${header}.${b64url(JSON.stringify(payload))}`;
    return `${body}.${this.mac(cluster, body)}`;
  }

  verifyServiceAccount(cluster: string, token: string): ServiceAccountClaims | undefined {
    const parts = token.split('.');
    if (parts.length !== 3) return undefined;
    const expected = Buffer.from(this.mac(cluster, `${parts[0]}.${parts[1]}`));
    const given = Buffer.from(parts[2]);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    let p: Record<string, any>;
    try {
      p = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
    } catch {
      return undefined;
    }
    if (p['kubernetes.io']) {
      const k = p['kubernetes.io'];
      return { sub: p.sub, namespace: k.namespace, serviceAccount: k.serviceaccount?.name, serviceAccountUid: k.serviceaccount?.uid, exp: p.exp, iat: p.iat, audiences: p.aud };
    }
    return {
      sub: p.sub,
      namespace: p['kubernetes.io/serviceaccount/namespace'],
      serviceAccount: p['kubernetes.io/serviceaccount/service-account.name'],
      serviceAccountUid: p['kubernetes.io/serviceaccount/service-account.uid'],
      secretName: p['kubernetes.io/serviceaccount/secret.name'],
    };
  }

  private keyId(cluster: string): string {
    return createHmac('sha256', this.secret).update(`kid:${cluster}`).digest('base64url').slice(0, 16);
  }

  private mac(cluster: string, data: string): string {
    let key = this.clusterKeys.get(cluster);
    if (!key) {
      key = createHmac('sha256', this.secret).update(`sa:${cluster}`).digest();
      this.clusterKeys.set(cluster, key);
    }
    return createHmac('sha256', key).update(data).digest('base64url');
  }
}

/** The fleet's signer: derived from the seed (and KUBE_SIM_TOKEN_SECRET), so a restart or a prewarm thread with the same seed issues the same tokens. */
export function signerForSeed(seed: number): TokenSigner {
  return new TokenSigner(createHash('sha256').update(`kube-sim-token-secret:${process.env.KUBE_SIM_TOKEN_SECRET ?? ''}:${seed}`).digest());
}
