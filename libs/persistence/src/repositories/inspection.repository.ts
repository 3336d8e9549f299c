import { DataSource, EntityManager } from 'typeorm';
import { InspectionEntity, InspectionKindName, StoredInspectionCheck } from '../entities/inspection.entity';
import { isUuid } from '@flotilla/validation';
import { ClusterPage, pagesForClusters } from './upgrade.repository';

const COLUMNS = `u.id, u.organization_id AS "organizationId", u.cluster_id AS "clusterId", u.kind, u.status, u.passed, u.failed,
  u.warnings, u.checks, u.target_version AS "targetVersion", u.error, u.created_by AS "createdBy", u.created_at AS "createdAt",
  u.started_at AS "startedAt", u.finished_at AS "finishedAt", u.created_at::text AS "createdAtKey"`;

type Row = InspectionEntity & { createdAtKey: string };

function strip(r: Row): InspectionEntity {
  const { createdAtKey: _k, ...rest } = r;
  return Object.assign(new InspectionEntity(), rest);
}

export class InspectionRepository {
  constructor(private readonly db: DataSource) {}

  async create(
    tx: EntityManager,
    organizationId: string,
    i: { clusterId: string; kind: InspectionKindName; targetVersion: string | null; createdBy: string },
  ): Promise<InspectionEntity> {
    const rows: Row[] = await tx.query(
      `INSERT INTO inspections AS u (organization_id, cluster_id, kind, target_version, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING ${COLUMNS}`,
      [organizationId, i.clusterId, i.kind, i.targetVersion, i.createdBy],
    );
    return strip(rows[0]);
  }

  async findById(organizationId: string, id: string): Promise<InspectionEntity | null> {
    if (!isUuid(id)) return null;
    const rows: Row[] = await this.db.query(`SELECT ${COLUMNS} FROM inspections u WHERE u.organization_id = $1 AND u.id = $2`, [organizationId, id]);
    return rows[0] ? strip(rows[0]) : null;
  }

  async pagesForClusters(organizationId: string, clusterIds: readonly string[], first: number, after?: string | null): Promise<Map<string, ClusterPage<InspectionEntity>>> {
    return pagesForClusters<Row, InspectionEntity>(this.db, 'inspections', COLUMNS, organizationId, clusterIds, first, after, strip);
  }

  /** Null when the inspection is no longer QUEUED or RUNNING (a re-run of a finished job does nothing). */
  async markRunning(organizationId: string, id: string): Promise<InspectionEntity | null> {
    const rows: [Row[], number] = await this.db.query(
      `UPDATE inspections u SET status = 'RUNNING', started_at = coalesce(u.started_at, now())
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status IN ('QUEUED', 'RUNNING') RETURNING ${COLUMNS}`,
      [organizationId, id],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }

  async finish(
    organizationId: string,
    id: string,
    outcome: {
      status: 'SUCCEEDED' | 'FAILED';
      checks?: StoredInspectionCheck[];
      passed?: number;
      failed?: number;
      warnings?: number;
      error?: string | null;
      /** The release actually judged against (DEPRECATED_APIS defaults to the next minor). */
      targetVersion?: string | null;
    },
    tx?: EntityManager,
  ): Promise<InspectionEntity | null> {
    const rows: [Row[], number] = await (tx ?? this.db).query(
      `UPDATE inspections u SET status = $3, checks = $4::jsonb, passed = $5, failed = $6, warnings = $7, error = $8,
              target_version = coalesce($9, u.target_version), finished_at = now()
        WHERE u.organization_id = $1 AND u.id = $2 AND u.status IN ('QUEUED', 'RUNNING') RETURNING ${COLUMNS}`,
      [organizationId, id, outcome.status, JSON.stringify(outcome.checks ?? []), outcome.passed ?? 0, outcome.failed ?? 0, outcome.warnings ?? 0, outcome.error ?? null, outcome.targetVersion ?? null],
    );
    return rows[0][0] ? strip(rows[0][0]) : null;
  }
}
