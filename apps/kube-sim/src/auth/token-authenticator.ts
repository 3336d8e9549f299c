/**
 * Bearer-token authentication for one cluster: its admin token, legacy service-account token
 * Secrets (valid while the Secret and its ServiceAccount exist) and TokenRequest tokens (valid
 * until they expire, on the cluster's possibly shifted clock).
 */
import type { ClusterRecord } from '../fleet/cluster-record';
import type { ObjectStore } from '../store/object-store';
import { type TokenSigner, claimedCluster } from './token-signer';
import { ANONYMOUS, type UserInfo } from './user-info';

/** The API server's own audience: what TokenRequest issues by default. */
export const API_AUDIENCE = 'https://kubernetes.default.svc.cluster.local';

export const ADMIN_USER: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export class TokenAuthenticator {
  private readonly adminTokens = new Map<string, string>();
  private readonly clusterByAdminToken = new Map<string, string>();

  constructor(private readonly signer: TokenSigner) {}

  adminToken(cluster: string): string {
    let t = this.adminTokens.get(cluster);
    if (!t) {
      t = this.signer.adminToken(cluster);
      this.adminTokens.set(cluster, t);
    }
    return t;
  }

  forget(cluster: string): void {
    const t = this.adminTokens.get(cluster);
    if (t) this.clusterByAdminToken.delete(t);
    this.adminTokens.delete(cluster);
  }

  /** Which cluster a bearer token belongs to, for requests that arrive without the /clusters/<name> prefix. */
  clusterForToken(authorization: string | undefined, names: () => string[]): string | undefined {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!m) return undefined;
    const fromClaim = claimedCluster(m[1]);
    if (fromClaim) return fromClaim;
    const hit = this.clusterByAdminToken.get(m[1]);
    if (hit) return hit;
    const all = names();
    if (this.clusterByAdminToken.size >= all.length) return undefined;
    for (const n of all) this.clusterByAdminToken.set(this.adminToken(n), n);
    return this.clusterByAdminToken.get(m[1]);
  }

  /** The user, ANONYMOUS without a token, or undefined for a token this cluster does not accept. */
  authenticate(record: ClusterRecord, store: () => ObjectStore, authorization: string | undefined): UserInfo | undefined {
    if (!authorization) return ANONYMOUS;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!m) return undefined;
    const token = m[1];
    const revoked = record.faults.revokeTokens;
    if (revoked === true || revoked === 'all') return undefined;
    if (token === this.adminToken(record.spec.name)) return ADMIN_USER;
    if (revoked === 'service-accounts') return undefined;
    return this.serviceAccountUser(record, store(), token);
  }

  /**
   * Impersonation headers (kubectl --as / --as-group): honoured for users allowed to impersonate
   * (cluster admins; RBAC `impersonate` grants are not evaluated).
   */
  impersonate(user: UserInfo, headers: Record<string, string | string[] | undefined>): UserInfo | 'forbidden' {
    const as = headers['impersonate-user'];
    if (as === undefined) return user;
    if (!user.groups.includes('system:masters')) return 'forbidden';
    const username = Array.isArray(as) ? as[0] : as;
    const g = headers['impersonate-group'];
    const groups = (Array.isArray(g) ? g : g ? [g] : []).flatMap((x) => x.split(',').map((y) => y.trim()));
    const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(username);
    if (sa) groups.push('system:serviceaccounts', `system:serviceaccounts:${sa[1]}`);
    if (!groups.includes('system:authenticated')) groups.push('system:authenticated');
    return { username, groups, ...(sa ? { serviceAccount: { namespace: sa[1], name: sa[2] } } : {}) };
  }

  serviceAccountUser(record: ClusterRecord, store: ObjectStore, token: string): UserInfo | undefined {
    const claims = this.signer.verifyServiceAccount(record.spec.name, token);
    if (!claims || !claims.namespace || !claims.serviceAccount) return undefined;
    const sa = store.get('/serviceaccounts', claims.namespace, claims.serviceAccount)?.obj;
    if (!sa || String(sa.metadata.uid ?? '') !== claims.serviceAccountUid) return undefined;
    if (claims.secretName !== undefined) {
      const secret = store.get('/secrets', claims.namespace, claims.secretName)?.obj;
      const data = secret?.data as Record<string, string> | undefined;
      if (!data?.token || Buffer.from(data.token, 'base64').toString('utf8') !== token) return undefined;
    } else if (claims.exp === undefined || claims.exp * 1000 <= Date.now() + record.clockOffsetMs) {
      return undefined;
    } else if (claims.audiences && !claims.audiences.includes(API_AUDIENCE)) {
      // A token bound to another audience (e.g. for Vault) is not an API credential.
      return undefined;
    }
    return {
      username: `system:serviceaccount:${claims.namespace}:${claims.serviceAccount}`,
      uid: claims.serviceAccountUid,
      groups: ['system:serviceaccounts', `system:serviceaccounts:${claims.namespace}`, 'system:authenticated'],
      serviceAccount: { namespace: claims.namespace, name: claims.serviceAccount },
    };
  }
}
