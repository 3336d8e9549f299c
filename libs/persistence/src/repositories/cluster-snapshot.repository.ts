import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { DataSource, EntityManager } from 'typeorm';
import { preparedQuery } from '../prepared-query';

const gunzipAsync = promisify(gunzip);

/** A gzip member's first two bytes: rows written before the cache was compressed by PostgreSQL. */
const isGzip = (b: Buffer) => b.length > 2 && b[0] === 0x1f && b[1] === 0x8b;

/** One kind's objects, as listed (and compacted) by the scan. */
export type SnapshotObjects = Array<{ metadata: { name: string; namespace?: string }; [key: string]: unknown }>;

export interface StoredSnapshot {
  clusterId: string;
  clusterName: string;
  takenAt: Date;
  kubernetesVersion: string | null;
  /** The cluster's current compliance (null: never scanned to the end). */
  complianceStatus: 'COMPLIANT' | 'NON_COMPLIANT' | 'ERROR' | null;
  /** Only the kinds asked for that the snapshot holds; a kind it lacks is absent. */
  objects: Record<string, SnapshotObjects>;
}

/**
 * One kind of a snapshot to save: `objects` when its list changed since the stored copy (it is
 * compressed and written), none when the stored copy is still the same list (its row is left as it is).
 */
export interface SnapshotKindToSave {
  kind: string;
  /** Digest of the list it came from; null when the scan changed the objects after listing (ENFORCE). */
  digest: string | null;
  objectCount: number;
  objects?: SnapshotObjects;
}

/** What a stored kind was made from, for the next scan to compare its lists with. */
export interface StoredSnapshotKind {
  digest: string;
  objectCount: number;
}

/**
 * The snapshot cache: the latest snapshot of each cluster (deleted with the cluster, pruned by
 * age), one row per kind, each a JSON array, so that a preview decodes only the kinds its policy
 * reads and a scan rewrites only the kinds whose lists changed. PostgreSQL compresses the content
 * (lz4 where it has it): gzip in the worker was a tenth of a first scan's CPU.
 */
export class ClusterSnapshotRepository {
  constructor(private readonly db: DataSource) {}

  /**
   * Replaces the cluster's snapshot unless a newer one is stored already: its time and kinds, the
   * kinds given with objects (kinds it no longer holds go). Returns the JSON bytes written.
   */
  async save(
    db: EntityManager | DataSource,
    organizationId: string,
    clusterId: string,
    s: { takenAt: Date; kubernetesVersion: string | null; kinds: SnapshotKindToSave[] },
  ): Promise<number> {
    const kinds = [...s.kinds].sort((a, b) => (a.kind < b.kind ? -1 : a.kind > b.kind ? 1 : 0));
    const changed = kinds.filter((k) => k.objects);
    const blobs = changed.map((k) => Buffer.from(JSON.stringify(k.objects)));
    // The changed kinds' blobs travel as one bytea (binary on the wire) cut by length in SQL: a
    // bytea[] parameter is sent as hex text, twice the bytes, and parsed character by character.
    await preparedQuery(
      db,
      `WITH head AS (
         INSERT INTO cluster_snapshots AS cs (cluster_id, organization_id, taken_at, kinds, object_count, kubernetes_version)
         SELECT c.id, c.organization_id, $3, $4, $5, $6 FROM clusters c WHERE c.organization_id = $1 AND c.id = $2 AND c.status <> 'DETACHED'
         ON CONFLICT (cluster_id) DO UPDATE SET taken_at = EXCLUDED.taken_at, kinds = EXCLUDED.kinds, object_count = EXCLUDED.object_count,
                kubernetes_version = EXCLUDED.kubernetes_version
          WHERE cs.taken_at <= EXCLUDED.taken_at
         RETURNING cluster_id),
       changed AS (
         SELECT t.kind, t.digest, t.object_count,
                substring($10::bytea FROM (1 + coalesce(sum(t.length) OVER (ORDER BY t.i ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0))::int FOR t.length) AS content
           FROM unnest($7::text[], $8::text[], $9::int[], $11::int[]) WITH ORDINALITY AS t(kind, digest, object_count, length, i)),
       written AS (
         INSERT INTO cluster_snapshot_kinds AS k (cluster_id, kind, digest, object_count, content)
         SELECT h.cluster_id, ch.kind, ch.digest, ch.object_count, ch.content FROM head h, changed ch
         ON CONFLICT (cluster_id, kind) DO UPDATE SET digest = EXCLUDED.digest, object_count = EXCLUDED.object_count, content = EXCLUDED.content
         RETURNING 1),
       dropped AS (
         DELETE FROM cluster_snapshot_kinds k USING head h WHERE k.cluster_id = h.cluster_id AND NOT (k.kind = ANY($4::text[]))
         RETURNING 1)
       SELECT (SELECT count(*) FROM written)::int + (SELECT count(*) FROM dropped)::int AS n`,
      [
        organizationId,
        clusterId,
        s.takenAt,
        kinds.map((k) => k.kind),
        kinds.reduce((n, k) => n + k.objectCount, 0),
        s.kubernetesVersion,
        changed.map((k) => k.kind),
        changed.map((k) => k.digest),
        changed.map((k) => k.objectCount),
        Buffer.concat(blobs),
        blobs.map((b) => b.length),
      ],
    );
    return blobs.reduce((n, b) => n + b.length, 0);
  }

  /**
   * The latest snapshot of every attached cluster of the organization (or of one group or cluster),
   * with only the given kinds decoded, and each cluster's current compliance. Reads only.
   */
  async latest(organizationId: string, kinds: string[], scope: { groupId?: string | null; clusterId?: string | null } = {}): Promise<StoredSnapshot[]> {
    // One row per (cluster, kind asked for), each kind's blob a plain bytea column (binary, not the
    // hex text a bytea[] comes back as).
    const rows: Array<{ clusterId: string; clusterName: string; takenAt: Date; kubernetesVersion: string | null; complianceStatus: StoredSnapshot['complianceStatus']; kind: string | null; blob: Buffer | null }> =
      await this.db.query(
        `SELECT c.id AS "clusterId", c.name AS "clusterName", cs.taken_at AS "takenAt", cs.kubernetes_version AS "kubernetesVersion",
                cc.status AS "complianceStatus", k.kind, k.content AS blob
           FROM cluster_snapshots cs
           JOIN clusters c ON c.id = cs.cluster_id AND c.organization_id = cs.organization_id AND c.status <> 'DETACHED'
           LEFT JOIN cluster_compliance cc ON cc.cluster_id = c.id
           LEFT JOIN cluster_snapshot_kinds k ON k.cluster_id = cs.cluster_id AND k.kind = ANY($2::text[]) AND k.kind = ANY(cs.kinds)
          WHERE cs.organization_id = $1 AND ($3::uuid IS NULL OR c.group_id = $3) AND ($4::uuid IS NULL OR c.id = $4)
          ORDER BY c.name, c.id, k.kind`,
        [organizationId, kinds, scope.groupId ?? null, scope.clusterId ?? null],
      );
    const byCluster = new Map<string, { snapshot: StoredSnapshot; blobs: Array<[string, Buffer]> }>();
    for (const r of rows) {
      let entry = byCluster.get(r.clusterId);
      if (!entry) {
        entry = {
          snapshot: { clusterId: r.clusterId, clusterName: r.clusterName, takenAt: r.takenAt, kubernetesVersion: r.kubernetesVersion, complianceStatus: r.complianceStatus, objects: {} },
          blobs: [],
        };
        byCluster.set(r.clusterId, entry);
      }
      if (r.kind && r.blob) entry.blobs.push([r.kind, r.blob]);
    }
    return Promise.all(
      [...byCluster.values()].map(async ({ snapshot, blobs }) => {
        const decoded = await Promise.all(blobs.map(([, b]) => (isGzip(b) ? gunzipAsync(b) : b)));
        blobs.forEach(([kind], i) => (snapshot.objects[kind] = JSON.parse(decoded[i].toString('utf8'))));
        return snapshot;
      }),
    );
  }

  /** Attached clusters in the scope, with a snapshot or not. */
  async countInScope(organizationId: string, scope: { groupId?: string | null; clusterId?: string | null }): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `SELECT count(*)::int AS n FROM clusters c WHERE c.organization_id = $1 AND c.status <> 'DETACHED' AND ($2::uuid IS NULL OR c.group_id = $2) AND ($3::uuid IS NULL OR c.id = $3)`,
      [organizationId, scope.groupId ?? null, scope.clusterId ?? null],
    );
    return rows[0].n;
  }

  /** Bytes stored per cluster (for the README's sizing and the benchmark). */
  async sizeOf(organizationId: string, clusterId: string): Promise<{ bytes: number; objects: number; kinds: string[] } | null> {
    const rows: Array<{ bytes: number; objects: number; kinds: string[] }> = await this.db.query(
      `SELECT (SELECT coalesce(sum(pg_column_size(k.content)), 0) FROM cluster_snapshot_kinds k WHERE k.cluster_id = cs.cluster_id)::int AS bytes,
              object_count AS objects, kinds
         FROM cluster_snapshots cs WHERE organization_id = $1 AND cluster_id = $2`,
      [organizationId, clusterId],
    );
    return rows[0] ?? null;
  }

  async forget(tx: EntityManager, organizationId: string, clusterId: string): Promise<void> {
    await tx.query(`DELETE FROM cluster_snapshots WHERE organization_id = $1 AND cluster_id = $2`, [organizationId, clusterId]);
  }

  /** Retention: snapshots not replaced for `days` (a cluster no scan reaches any more) go. */
  async pruneOlderThan(days: number): Promise<number> {
    const rows: Array<{ n: number }> = await this.db.query(
      `WITH d AS (DELETE FROM cluster_snapshots WHERE taken_at < now() - make_interval(days => $1) RETURNING 1) SELECT count(*)::int AS n FROM d`,
      [days],
    );
    return rows[0].n;
  }
}
