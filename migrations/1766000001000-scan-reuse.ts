import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What lets a scan skip work on what did not change (issue 15: a cluster's scan cost).
 *
 * - `cluster_snapshot_kinds`: the snapshot cache, one row per (cluster, kind) instead of one bytea[]
 *   per cluster, each with the digest of the list it came from, so a scan rewrites only the kinds
 *   whose list changed. The content is JSON that PostgreSQL compresses, with lz4 where the server
 *   was built with it (cheaper than gzip in the worker); rows moved from the old array stay gzip'd
 *   (the reader tells them apart) and have no digest, so their next scan rewrites them.
 *   `cluster_snapshots` keeps the snapshot's time, its kinds and its object count.
 * - `cluster_policy_results_current.input_digest`: what an AUDIT result was evaluated on (the
 *   evaluator's code, the policy, the digests of the lists it read); the same digest at the next
 *   scan means the same verdict, so it is carried over instead of re-evaluated. `evaluated_at`:
 *   when it was last actually evaluated (a carried-over result is re-evaluated after a day).
 * - `scan_clusters_pending`: a running scan's counters are now counted from its ledger and a scan
 *   ends when no ledger row is PENDING (the shared counter row every outcome updated serialized
 *   the scan on its lock); this partial index answers "anything PENDING?" with one probe.
 */
export class ScanReuse1766000001000 implements MigrationInterface {
  name = 'ScanReuse1766000001000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE cluster_snapshot_kinds (
        cluster_id uuid NOT NULL REFERENCES cluster_snapshots (cluster_id) ON DELETE CASCADE,
        kind text NOT NULL,
        digest text,
        object_count int,
        content bytea NOT NULL,
        PRIMARY KEY (cluster_id, kind)
      );
      DO $$ BEGIN
        ALTER TABLE cluster_snapshot_kinds ALTER COLUMN content SET COMPRESSION lz4;
      EXCEPTION WHEN feature_not_supported THEN
        RAISE NOTICE 'this PostgreSQL has no lz4: the snapshot cache is compressed with pglz';
      END $$;
      INSERT INTO cluster_snapshot_kinds (cluster_id, kind, content)
        SELECT cs.cluster_id, u.kind, cs.content[u.i] FROM cluster_snapshots cs, unnest(cs.kinds) WITH ORDINALITY AS u(kind, i)
         WHERE cs.content[u.i] IS NOT NULL;
      ALTER TABLE cluster_snapshots DROP COLUMN content;

      ALTER TABLE cluster_policy_results_current ADD COLUMN input_digest text, ADD COLUMN evaluated_at timestamptz;

      CREATE INDEX scan_clusters_pending ON scan_clusters (scan_id) WHERE status = 'PENDING';
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX scan_clusters_pending;
      ALTER TABLE cluster_policy_results_current DROP COLUMN input_digest, DROP COLUMN evaluated_at;
      -- The previous release reads only gzip'd blobs, and rows written since are plain JSON: the
      -- cache is emptied instead (it is a cache: each cluster's next scan fills it again).
      DROP TABLE cluster_snapshot_kinds;
      DELETE FROM cluster_snapshots;
      ALTER TABLE cluster_snapshots ADD COLUMN content bytea[] NOT NULL;
    `);
  }
}
