import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AuditRepository, ClusterGroupRepository, ClusterRepository, ScanRepository, ScanRow, ScanScheduleRepository, ScanScheduleRow } from '@flotilla/persistence';
import { isUuid } from '@flotilla/validation';
import { ScanStarter } from '@flotilla/compliance';
import { ScheduleError, nextRunAfter, validateCron, validateTimezone } from '@flotilla/schedule';
import { ViewerContext } from '../auth/viewer';
import { plainText } from '@flotilla/validation';
import { badInput, idInMessage } from '../common/domain.errors';
import { DATA_SOURCE } from '@flotilla/infrastructure';
import { RunComplianceScanInput, ScanScheduleInput } from './compliance.inputs';

/** Most clusters one scan request may list by id (a whole fleet is scanned by omitting the list). */
const MAX_LISTED_CLUSTERS = 1000;

/**
 * Starts compliance scans (the scan row, its per-cluster ledger and one outbox job per cluster,
 * in one transaction: the request returns at once with the scan QUEUED), reads them, and keeps
 * the organization's scan schedule.
 */
@Injectable()
export class ScanService {
  constructor(
    @Inject(DATA_SOURCE) private readonly db: DataSource,
    private readonly scans: ScanRepository,
    private readonly schedules: ScanScheduleRepository,
    private readonly clusters: ClusterRepository,
    private readonly groups: ClusterGroupRepository,
    private readonly starter: ScanStarter,
    private readonly audit: AuditRepository,
  ) {}

  async run(viewer: ViewerContext, input: RunComplianceScanInput): Promise<ScanRow> {
    const groupId = input.groupId ?? null;
    const clusterIds = input.clusterIds ?? null;
    // An empty string is a (malformed) id, not "no group": it would otherwise reach SQL as ''.
    if (groupId !== null && clusterIds) throw badInput('input', 'give groupId or clusterIds, not both');
    if (groupId !== null && !isUuid(groupId)) throw badInput('input.groupId', `no cluster group with id ${idInMessage(groupId)}`);
    if (clusterIds) {
      if (clusterIds.length === 0) throw badInput('input.clusterIds', 'must name at least one cluster (omit it to scan the whole organization)');
      if (clusterIds.length > MAX_LISTED_CLUSTERS) throw badInput('input.clusterIds', `may list at most ${MAX_LISTED_CLUSTERS} clusters`);
    }
    const ids = clusterIds ? [...new Set(clusterIds)] : null;
    if (ids) {
      const found = new Set((await this.clusters.findByIds(viewer.organizationId, ids)).filter((c) => c.status !== 'DETACHED').map((c) => c.id));
      const missing = ids.filter((id) => !found.has(id));
      if (missing.length) throw badInput('input.clusterIds', `no attached cluster with id ${missing.slice(0, 5).map(idInMessage).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    }
    return this.db.transaction(async (tx) => {
      if (groupId && !(await this.groups.findById(viewer.organizationId, groupId, tx))) throw badInput('input.groupId', `no cluster group with id ${groupId}`);
      const scan = await this.starter.start(tx, viewer.organizationId, { trigger: 'MANUAL', createdBy: viewer.actor, groupId, clusterIds: ids });
      if (!scan) throw new Error('scan was not created');
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'scan.run',
        targetType: 'Scan',
        targetId: scan.id,
        details: { groupId, clusterIds: ids, clusterCount: scan.clusterCount },
      });
      return scan;
    });
  }

  get(viewer: ViewerContext, id: string): Promise<ScanRow | null> {
    return this.scans.findById(viewer.organizationId, id);
  }

  list(viewer: ViewerContext, first: number, after?: string | null) {
    return this.scans.list(viewer.organizationId, first, after);
  }

  cursorFor(scan: ScanRow): string {
    return this.scans.cursorFor(scan);
  }

  getSchedule(viewer: ViewerContext): Promise<ScanScheduleRow | null> {
    return this.schedules.find(viewer.organizationId);
  }

  async setSchedule(viewer: ViewerContext, input: ScanScheduleInput): Promise<ScanScheduleRow> {
    let cron: string;
    let timezone: string;
    try {
      // Bounded and printable first: the schedule's own messages quote what they refuse.
      cron = validateCron(plainText(input.cron, 'input.cron', { max: 200 }));
      timezone = validateTimezone(plainText(input.timezone ?? 'UTC', 'input.timezone', { max: 100 }));
    } catch (err) {
      if (err instanceof ScheduleError) throw badInput(`input.${err.field}`, err.message);
      throw err;
    }
    const nextRunAt = input.enabled ? nextRunAfter(cron, timezone, new Date()) : null;
    return this.db.transaction(async (tx) => {
      const row = await this.schedules.upsert(tx, viewer.organizationId, { cron, timezone, enabled: input.enabled, nextRunAt });
      await this.audit.record(tx, viewer.organizationId, {
        actor: viewer.actor,
        action: 'scanSchedule.set',
        targetType: 'ScanSchedule',
        targetId: viewer.organizationId,
        details: { cron, timezone, enabled: input.enabled },
      });
      return row;
    });
  }

}
