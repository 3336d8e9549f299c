/**
 * The service-account token controller: fills `kubernetes.io/service-account-token` Secrets with a
 * token, the cluster CA and the namespace, once their ServiceAccount exists.
 */
import type { KubeObject } from '../content/contract';
import type { TokenSigner } from '../auth/token-signer';
import type { ObjectStore } from '../store/object-store';

export const SA_TOKEN_TYPE = 'kubernetes.io/service-account-token';
const SA_NAME = 'kubernetes.io/service-account.name';
const SA_UID = 'kubernetes.io/service-account.uid';

export class TokenController {
  constructor(
    private readonly signer: TokenSigner,
    private readonly caPem: string,
  ) {}

  /** The Secret as the controller would leave it, or undefined when there is nothing to do. */
  filled(cluster: string, store: ObjectStore, secret: KubeObject): KubeObject | undefined {
    if (secret.type !== SA_TOKEN_TYPE) return undefined;
    const ns = secret.metadata.namespace ?? '';
    const saName = secret.metadata.annotations?.[SA_NAME];
    if (!saName) return undefined;
    const sa = store.get('/serviceaccounts', ns, saName)?.obj;
    if (!sa) return undefined;
    const saUid = String(sa.metadata.uid ?? '');
    const data = (secret.data ?? {}) as Record<string, string>;
    if (data.token) {
      const claims = this.signer.verifyServiceAccount(cluster, Buffer.from(data.token, 'base64').toString('utf8'));
      if (claims && claims.serviceAccountUid === saUid && claims.secretName === secret.metadata.name) return undefined;
    }
    const token = this.signer.signServiceAccount(cluster, { sub: `system:serviceaccount:${ns}:${saName}`, namespace: ns, serviceAccount: saName, serviceAccountUid: saUid, secretName: secret.metadata.name });
    return {
      ...secret,
      metadata: { ...secret.metadata, annotations: { ...secret.metadata.annotations, [SA_UID]: saUid } },
      data: { ...data, token: Buffer.from(token).toString('base64'), 'ca.crt': Buffer.from(this.caPem).toString('base64'), namespace: Buffer.from(ns).toString('base64') },
    };
  }

  /** Secrets in a namespace that need filling, filled. */
  pending(cluster: string, store: ObjectStore, namespace: string): KubeObject[] {
    const out: KubeObject[] = [];
    for (const s of store.list('/secrets', namespace)) {
      const f = this.filled(cluster, store, s.obj);
      if (f) out.push(f);
    }
    return out;
  }
}
