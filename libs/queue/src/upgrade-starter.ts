import { EntityManager } from 'typeorm';
import { JobRecordRepository, NewUpgrade, OutboxRepository, UpgradeEntity, UpgradeRepository } from '@flotilla/persistence';
import { JobName, QueueName, jobIds, outboxMessage } from './queue-catalogue';

/**
 * Starts an upgrade in the caller's transaction: the upgrade row (the partial unique index keeps one
 * active per cluster), its run-upgrade job in the outbox and the job record. startUpgrade (API) and
 * campaigns (worker) both start upgrades through here; each audits in the same transaction.
 */
export class UpgradeStarter {
  constructor(
    private readonly upgrades: UpgradeRepository,
    private readonly outbox: OutboxRepository,
    private readonly jobs: JobRecordRepository,
  ) {}

  async start(tx: EntityManager, organizationId: string, u: NewUpgrade): Promise<{ created: UpgradeEntity } | { active: UpgradeEntity | null }> {
    const r = await this.upgrades.start(tx, organizationId, u);
    if (!('created' in r)) return r;
    const jobId = jobIds.runUpgrade(r.created.id);
    await this.outbox.add(tx, [outboxMessage(JobName.RunUpgrade, jobId, { organizationId, upgradeId: r.created.id })]);
    await this.jobs.queued(tx, [{ id: jobId, organizationId, queue: QueueName.Upgrade, jobName: JobName.RunUpgrade }]);
    return r;
  }

  /** start() for many clusters in a few statements; a cluster with an active upgrade is not in the result. */
  async startMany(tx: EntityManager, organizationId: string, list: NewUpgrade[]): Promise<UpgradeEntity[]> {
    const created = await this.upgrades.startMany(tx, organizationId, list);
    const messages = created.map((u) => outboxMessage(JobName.RunUpgrade, jobIds.runUpgrade(u.id), { organizationId, upgradeId: u.id }));
    await this.outbox.add(tx, messages);
    await this.jobs.queued(tx, messages.map((m) => ({ id: m.jobId, organizationId, queue: QueueName.Upgrade, jobName: JobName.RunUpgrade })));
    return created;
  }
}

/** The one way a process provides UpgradeStarter. */
export const upgradeStarterProvider = {
  provide: UpgradeStarter,
  inject: [UpgradeRepository, OutboxRepository, JobRecordRepository],
  useFactory: (upgrades: UpgradeRepository, outbox: OutboxRepository, jobs: JobRecordRepository) => new UpgradeStarter(upgrades, outbox, jobs),
};
