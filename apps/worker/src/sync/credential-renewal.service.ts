import { Inject, Injectable, Logger } from '@nestjs/common';
import { ClusterCredentialRepository, StoredCredential } from '@flotilla/persistence';
import {
  AGENT_NAMESPACE,
  AGENT_SERVICE_ACCOUNT,
  ClusterClientFactory,
  CredentialCipher,
  CredentialExpiredError,
  describeFailure,
  renewalDecision,
  renewalRetryAt,
} from '@flotilla/cluster-access';
import { CLOCK, CREDENTIAL_CIPHER, Clock } from '@flotilla/infrastructure';

/** How long one worker holds the renewal of a credential (the TokenRequest is one call, bounded by the kube timeout). */
const CLAIM_MS = 2 * 60_000;

export interface RenewableCluster {
  id: string;
  organizationId: string;
  name: string;
  apiServerUrl: string;
}

/**
 * Renews a directly attached cluster's short-lived TokenRequest token before it lapses, with that
 * same token (the agent's Role allows `create` on its own `serviceaccounts/token` only). When to
 * renew is the pure `renewalDecision` (≤ 20 % of its life left); this is the I/O around it:
 *
 * - exactly one renewal across replicas: a conditional claim on the row read (its iv), which is also
 *   the retry time if the renewing worker dies;
 * - the new token is encrypted bound to the cluster id + URL like any credential and swapped in by
 *   one UPDATE conditioned on that same iv (an `attach --update` meanwhile is never overwritten);
 * - a failed renewal before expiry is not the cluster's failure: the current token still works, so
 *   the sync goes on (no flapping) and renewal is retried with backoff; past expiry the sync fails
 *   with CredentialExpiredError, which turns the cluster UNREACHABLE with the fix in its reason.
 */
@Injectable()
export class CredentialRenewalService {
  private readonly logger = new Logger(CredentialRenewalService.name);

  constructor(
    private readonly credentials: ClusterCredentialRepository,
    private readonly clients: ClusterClientFactory,
    @Inject(CREDENTIAL_CIPHER) private readonly cipher: CredentialCipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * The credential to sync with: `stored` (as the sync just read it), renewed first when due. Null
   * when the cluster has none (the caller's client lookup then says so). Throws
   * CredentialExpiredError once it has lapsed.
   */
  async current(cluster: RenewableCluster, stored: StoredCredential | null): Promise<StoredCredential | null> {
    if (!stored?.life) return stored;
    const now = this.clock.now();
    const decision = renewalDecision(stored.life, now, stored.renewalRetryAt);
    if (decision.action === 'expired') throw new CredentialExpiredError(cluster.name, decision.expiredAt);
    if (decision.action !== 'renew') return stored;
    if (!(await this.credentials.claimRenewal(cluster.organizationId, cluster.id, stored.iv, now, new Date(now.getTime() + CLAIM_MS)))) {
      // Another worker is renewing it (or just did): this sync uses what was read, still valid.
      return stored;
    }
    try {
      const renewed = await this.renew(cluster, stored, decision.lifetimeSeconds, now);
      return renewed ?? (await this.credentials.load(cluster.organizationId, cluster.id));
    } catch (err) {
      const failures = stored.renewalFailures + 1;
      const retryAt = renewalRetryAt(failures, now, stored.life.expiresAt);
      await this.credentials.recordRenewalFailure(cluster.organizationId, cluster.id, stored.iv, retryAt);
      this.logger.warn(
        { clusterId: cluster.id, failures, expiresAt: stored.life.expiresAt.toISOString(), retryAt: retryAt.toISOString(), error: describeFailure(err) },
        'could not renew the cluster credential; the current one is used until it expires',
      );
      return stored;
    }
  }

  /** The TokenRequest and the atomic swap; the new stored credential, or null when the row changed meanwhile. */
  private async renew(cluster: RenewableCluster, stored: StoredCredential, lifetimeSeconds: number, now: Date): Promise<StoredCredential | null> {
    const binding = { clusterId: cluster.id, apiServerUrl: cluster.apiServerUrl };
    const { caPem } = this.cipher.decrypt(stored, binding);
    const client = await this.clients.forCluster(cluster, stored);
    const issued = await client.requestServiceAccountToken(AGENT_NAMESPACE, AGENT_SERVICE_ACCOUNT, lifetimeSeconds);
    const blob = this.cipher.encrypt({ token: issued.token, caPem }, binding);
    const life = { issuedAt: now, expiresAt: issued.expiresAt };
    if (!(await this.credentials.replaceRenewed(cluster.organizationId, cluster.id, stored.iv, blob, life))) return null;
    this.logger.log({ clusterId: cluster.id, expiresAt: issued.expiresAt.toISOString() }, 'renewed the cluster credential');
    return { ...blob, format: blob.format, life, renewalFailures: 0, renewalRetryAt: null };
  }
}
