/**
 * Webhooks benchmark: what publishing a fleet event costs the transaction that causes it
 * (FleetEvents.publish inside a transaction, with 0 and with 5 subscribed webhooks), and what signing
 * one delivery costs. Prints JSON. Options: BENCH_EVENTS per run (1000), BENCH_RUNS (3).
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { bootstrapAdmin } from '@flotilla/access';
import { CredentialCipher } from '@flotilla/cluster-access';
import { FleetEvents, WEBHOOK_SECRET_PURPOSE, WebhookEventType, deliveryBody, deliveryHeaders, generateWebhookSecret } from '@flotilla/notifications';
import { OutboxRepository, WebhookRepository, createDataSource, migrate } from '@flotilla/persistence';
import { BENCH_ENCRYPTION_KEY, benchDatabase, median, releaseDatabase, round, runBenchmark, spreadOf } from './bench-support';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 1000);
const RUNS = Number(process.env.BENCH_RUNS ?? 3);

async function main(): Promise<void> {
  const database = await benchDatabase();
  await migrate(database.url);
  const db = await createDataSource(database.url, { poolSize: 4, applicationName: 'flotilla-bench-webhooks' }).initialize();
  try {
    const cipher = new CredentialCipher('k1', { k1: BENCH_ENCRYPTION_KEY });
    const webhooks = new WebhookRepository(db);
    const events = new FleetEvents(webhooks, new OutboxRepository(db));
    const orgs: Record<string, string> = {};
    for (const [label, subscribers] of [['none', 0], ['five', 5]] as const) {
      const { organizationId } = await bootstrapAdmin({ databaseUrl: database.url, organizationName: `bench-${label}` });
      orgs[label] = organizationId;
      for (let i = 0; i < subscribers; i++) {
        const id = randomUUID();
        const url = `https://hooks-${i}.example.com/flotilla`;
        await db.transaction((tx) =>
          webhooks.create(tx, organizationId, { id, url, events: ['SCAN_FINISHED'], createdBy: 'bench', secret: cipher.sealSecret(generateWebhookSecret(), WEBHOOK_SECRET_PURPOSE, [id, url]) }),
        );
      }
    }

    // One transaction per event, as a scan outcome or a sync would hold (it writes a row, so it pays
    // the commit's flush either way); the baseline is the same transaction without publish.
    await db.query(`CREATE TABLE bench_work (id bigserial PRIMARY KEY, at timestamptz NOT NULL DEFAULT now())`);
    const perEventMs = async (organizationId: string | null): Promise<number> => {
      const start = performance.now();
      for (let i = 0; i < EVENTS; i++) {
        await db.transaction(async (tx) => {
          await tx.query('INSERT INTO bench_work DEFAULT VALUES');
          if (organizationId) {
            const scanId = randomUUID();
            await events.publish(tx, {
              organizationId,
              type: WebhookEventType.SCAN_FINISHED,
              subject: `scan/${scanId}`,
              payload: { scanId, status: 'SUCCEEDED', clusterCount: 1000, compliantCount: 990, nonCompliantCount: 9, erroredCount: 1, violationCount: 42, finishedAt: new Date().toISOString() },
            });
          }
        });
      }
      return (performance.now() - start) / EVENTS;
    };
    const runs = { baseline: [] as number[], none: [] as number[], five: [] as number[] };
    for (let r = 0; r < RUNS; r++) {
      runs.baseline.push(await perEventMs(null));
      runs.none.push(await perEventMs(orgs.none));
      runs.five.push(await perEventMs(orgs.five));
    }

    // Signing one delivery (headers for a ~1 KiB body), CPU only.
    const secret = generateWebhookSecret();
    const body = deliveryBody({ id: randomUUID(), type: 'SCAN_FINISHED', occurredAt: new Date(), organizationId: randomUUID(), payload: { pad: 'x'.repeat(900) } });
    const signUs: number[] = [];
    for (let r = 0; r < RUNS; r++) {
      const n = 50_000;
      const start = performance.now();
      for (let i = 0; i < n; i++) deliveryHeaders({ secret, eventType: 'SCAN_FINISHED', deliveryId: 'd', body, nowSeconds: 1_700_000_000 + i });
      signUs.push(((performance.now() - start) * 1000) / n);
    }

    const stat = (values: number[], digits = 3) => ({ median: round(median(values), digits), spread: spreadOf(values).map((v) => round(v, digits)) });
    process.stdout.write(
      JSON.stringify(
        {
          benchmark: 'webhooks',
          eventsPerRun: EVENTS,
          runs: RUNS,
          transactionMs: {
            withoutPublish: stat(runs.baseline),
            publishNoSubscriber: stat(runs.none),
            publishFiveSubscribers: stat(runs.five),
          },
          publishOverheadMs: {
            noSubscriber: round(median(runs.none) - median(runs.baseline), 3),
            fiveSubscribers: round(median(runs.five) - median(runs.baseline), 3),
          },
          signDeliveryMicroseconds: stat(signUs, 2),
          bodyBytes: Buffer.byteLength(body),
        },
        null,
        2,
      ) + '\n',
    );
  } finally {
    await db.destroy();
    await releaseDatabase(database);
  }
}

runBenchmark('webhooks', main);
