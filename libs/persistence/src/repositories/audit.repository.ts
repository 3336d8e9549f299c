import { DataSource, EntityManager } from 'typeorm';
import { AuditEventEntity } from '../entities/audit-event.entity';
import { Page, decodeCursor, encodeCursor } from '../page-cursor';
import { uuidV7 } from '../uuid-v7';

export interface AuditRecord {
  actor: string;
  action: string;
  targetType?: string;
  targetId?: string;
  /** DENIED: the call was refused (role, or an id that is not the caller's) and changed nothing. */
  outcome?: 'SUCCESS' | 'FAILURE' | 'DENIED';
  details?: Record<string, unknown>;
}

export class AuditRepository {
  constructor(private readonly db: DataSource) {}

  async record(tx: EntityManager | DataSource, organizationId: string, event: AuditRecord): Promise<void> {
    await tx.query(
      `INSERT INTO audit_events (id, organization_id, actor, action, target_type, target_id, outcome, details)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [uuidV7(), organizationId, event.actor, event.action, event.targetType ?? null, event.targetId ?? null, event.outcome ?? 'SUCCESS', event.details ?? {}],
    );
  }

  /** Many events in one statement (a campaign wave starting a thousand upgrades). */
  async recordMany(tx: EntityManager, organizationId: string, events: AuditRecord[]): Promise<void> {
    if (events.length === 0) return;
    await tx.query(
      `INSERT INTO audit_events (id, organization_id, actor, action, target_type, target_id, outcome, details)
       SELECT i, $1, a, ac, tt, ti, o, d FROM unnest($2::uuid[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::jsonb[]) AS t(i, a, ac, tt, ti, o, d)`,
      [
        organizationId,
        events.map(() => uuidV7()),
        events.map((e) => e.actor),
        events.map((e) => e.action),
        events.map((e) => e.targetType ?? null),
        events.map((e) => e.targetId ?? null),
        events.map((e) => e.outcome ?? 'SUCCESS'),
        events.map((e) => JSON.stringify(e.details ?? {})),
      ],
    );
  }

  /** Newest first, keyset-paginated on the time-ordered UUIDv7 id. */
  async list(organizationId: string, first: number, after?: string): Promise<Page<AuditEventEntity>> {
    const qb = this.db
      .getRepository(AuditEventEntity)
      .createQueryBuilder('e')
      .where('e.organization_id = :organizationId', { organizationId })
      .orderBy('e.id', 'DESC')
      .limit(first + 1);
    if (after) qb.andWhere('e.id < :afterId', { afterId: decodeCursor(after, { sort: 'uuid', id: 'uuid' })[0] });
    const rows = await qb.getMany();
    const items = rows.slice(0, first);
    const last = items[items.length - 1];
    return { items, hasNextPage: rows.length > first, endCursor: last ? encodeCursor(last.id, last.id) : null };
  }
}
