import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, PolicyExceptionRepository } from '@flotilla/persistence';
import { EXCEPTION_EXPIRING_WITHIN_DAYS, expiringExceptions } from '@flotilla/policy';
import { PollingLoop } from '@flotilla/queue';
import { DATA_SOURCE } from '@flotilla/infrastructure';

const EVERY_MS = 3600_000;

/**
 * EXCEPTION_EXPIRING: once per approved exception, when it is ≤ 7 days from its expiry (checked
 * at start and hourly; each exception is taken once across worker replicas), an audit event
 * `policyException.expiring`. Expiry itself needs no timer: evaluation compares expiresAt with
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
        // WEBHOOK (EXCEPTION_EXPIRING): publish here, in this transaction, e.g.
        //   await this.webhooks.publish(tx, e.organizationId, 'EXCEPTION_EXPIRING', { exceptionId: e.id, ...details });
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
