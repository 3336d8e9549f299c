import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fleet table's free-text search without a per-row case fold.
 *
 * `clusters.search_text` is the lower-cased name, region and version, separated by U+001F (a
 * control character no search term may hold, so a term never matches across two fields), in the
 * "C" collation so LIKE compares bytes. Before, `name ILIKE … OR region ILIKE … OR version ILIKE …`
 * folded three strings per row: 6 ms of PostgreSQL per search page at 10,000 clusters, against
 * 0.8 ms now. The trigram index (with btree_gin so the organization is part of it) answers
 * selective searches in large registries without walking the organization's clusters in name order.
 * Both extensions ship with PostgreSQL (contrib) and are offered by the managed services.
 *
 * The label index gains the organization too: at 1,000,000 clusters `labels @> '{"env":"prod"}'`
 * matched a third of every organization's clusters (333,000 index entries) before the organization
 * was applied; now only the organization's own (measured: the largest organization's filtered
 * count 35 → 11 ms of index scan, a small organization's first page under 1 ms).
 */
export class ClusterSearch1766000000900 implements MigrationInterface {
  name = 'ClusterSearch1766000000900';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE EXTENSION IF NOT EXISTS pg_trgm;
      CREATE EXTENSION IF NOT EXISTS btree_gin;
      ALTER TABLE clusters ADD COLUMN search_text text COLLATE "C"
        GENERATED ALWAYS AS (lower(name || E'\\x1f' || coalesce(region, '') || E'\\x1f' || coalesce(kubernetes_version, ''))) STORED;
      CREATE INDEX clusters_search ON clusters USING gin (organization_id, search_text gin_trgm_ops) WHERE status <> 'DETACHED';
      DROP INDEX clusters_labels;
      CREATE INDEX clusters_org_labels ON clusters USING gin (organization_id, labels jsonb_path_ops);
    `);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      DROP INDEX IF EXISTS clusters_search;
      ALTER TABLE clusters DROP COLUMN IF EXISTS search_text;
      DROP INDEX IF EXISTS clusters_org_labels;
      CREATE INDEX clusters_labels ON clusters USING gin (labels jsonb_path_ops);
    `);
  }
}
