/**
 * `npm run kube-sim -- --clusters N --port P [--seed S] [--tls|--no-tls] [--rollout-step-ms MS]`:
 * prints one line `kube-sim listening on <url> (N clusters)` when ready; SIGTERM/SIGINT stop it.
 */
import { Command, InvalidArgumentError } from 'commander';
import { startKubeSim } from './kube-sim.server';

function int(name: string, min: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}`);
    return n;
  };
}

async function main(): Promise<void> {
  const program = new Command()
    .name('kube-sim')
    .description('A fleet of simulated Kubernetes API servers')
    .option('--clusters <n>', 'number of clusters (a realistic mix)', int('--clusters', 0), 50)
    .option('--port <p>', 'port on 127.0.0.1 (0 = any free port)', int('--port', 0), 6443)
    .option('--seed <s>', 'content seed', int('--seed', 0), 1)
    .option('--tls', 'serve HTTPS with a generated CA (default)', true)
    .option('--no-tls', 'serve plain HTTP')
    .option('--rollout-step-ms <ms>', 'delay between Cluster API rollout steps', int('--rollout-step-ms', 0), 2000)
    .option('--resident-clusters <n>', 'clusters kept decoded in memory (the rest are served from compact snapshots)', int('--resident-clusters', 1), 64)
    .option('--snapshot-budget-mib <n>', 'MiB of compact cluster snapshots kept (about 45 KB per cluster)', int('--snapshot-budget-mib', 1), 1024)
    .option('--prewarm', 'build every cluster before printing "listening" (benchmarks then time the product, not generation)', false)
    .option('--prewarm-threads <n>', 'threads that generate while prewarming (0 = the server thread)', int('--prewarm-threads', 0))
    .exitOverride((err) => process.exit(err.exitCode === 0 ? 0 : 2))
    .parse(process.argv);
  const o = program.opts<{ clusters: number; port: number; seed: number; tls: boolean; rolloutStepMs: number; residentClusters: number; snapshotBudgetMib: number; prewarm: boolean; prewarmThreads?: number }>();
  const sim = await startKubeSim({ clusters: o.clusters, port: o.port, seed: o.seed, tls: o.tls, rolloutStepMs: o.rolloutStepMs, residentLimit: o.residentClusters, snapshotBudgetMiB: o.snapshotBudgetMib, prewarm: o.prewarm && (o.prewarmThreads === undefined ? true : { threads: o.prewarmThreads }) });
  if (sim.prewarmed) process.stderr.write(`kube-sim prewarmed ${sim.prewarmed.clusters} clusters in ${sim.prewarmed.ms} ms (${sim.prewarmed.threads} threads)\n`);
  process.stdout.write(`kube-sim listening on ${sim.url} (${sim.clusterNames().length} clusters)\n`);
  const shutdown = () => {
    void sim.stop().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch((err: unknown) => {
  process.stderr.write(`kube-sim: ${(err as Error).message}\n`);
  process.exit(1);
});
