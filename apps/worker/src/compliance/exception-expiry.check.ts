import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, PolicyExceptionRepository } from '@flotilla/persistence';
import { EXCEPTION_EXPIRING_WITHIN_DAYS, expiringExceptions } from '@flotilla/policy';
import { PollingLoop } from '@flotilla/queue';
import { FleetEvents, WebhookEventType } from '@flotilla/notifications';
import { DATA_SOURCE } from '@flotilla/infrastructure';

const EVERY_MS = 3600_000;

/**
 * EXCEPTION_EXPIRING: once per approved exception, when it is ≤ 7 days from its expiry (checked
 * at start and hourly; each exception is taken once across worker replicas), an audit event
 * `policyException.expiring` and the fleet event (webhook) EXCEPTION_EXPIRING, in one transaction. Expiry itself needs no timer: evaluation compares expiresAt with
 * its clock.
 */
@Injectable()
export class ExceptionExpiryCheck implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ExceptionExpiryCheck.name);
  private readonly loop = new PollingLoop(async () => (await this.check(), false), {
    intervalMs: EVERY_MS,
    onError: (err) => this.logger.warn({ error: err.message }, 'exception expiry check failed; retrying next hour'),
  });

  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly exceptions: PolicyExceptionRepository,
    private readonly audit: AuditRepository,
    private readonly events: FleetEvents,
  ) {}

  /** Returns the ids of the exceptions noticed as expiring by this call. */
  async check(): Promise<string[]> {
    return this.db.transaction(async (tx) => {
      const { now, exceptions } = await this.exceptions.expiryCandidates(tx, EXCEPTION_EXPIRING_WITHIN_DAYS);
      const expiring = expiringExceptions(exceptions, now);
      const taken = new Set(await this.exceptions.markExpiringNoticed(tx, expiring.map((e) => e.id)));
      for (const e of expiring.filter((x) => taken.has(x.id))) {
        const details = { policyId: e.policyId, expiresAt: new Date(e.expiresAt).toISOString(), requestedBy: e.requestedBy, approvedBy: e.approvedBy };
        await this.audit.record(tx, e.organizationId, { actor: 'system', action: 'policyException.expiring', targetType: 'PolicyException', targetId: e.id, details });
        const [cluster] = e.clusterId
          ? ((await tx.query(`SELECT id, name FROM clusters WHERE organization_id = $1 AND id = $2`, [e.organizationId, e.clusterId])) as Array<{ id: string; name: string }>)
          : [];
        await this.events.publish(tx, {
          organizationId: e.organizationId,
          type: WebhookEventType.EXCEPTION_EXPIRING,
          subject: `exception/${e.id}`,
          payload: { exceptionId: e.id, policyId: e.policyId, cluster: cluster ?? null, expiresAt: details.expiresAt },
        });
        this.logger.log({ organizationId: e.organizationId, exceptionId: e.id, expiresAt: details.expiresAt }, 'policy exception expires within 7 days');
      }
      return [...taken];
    });
  }

  onApplicationBootstrap(): void {
    this.loop.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.loop.stop();
  }
}
