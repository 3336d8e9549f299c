/**
 * kube-sim in a child process of its own (so the benchmark measures it apart from the worker),
 * printing one JSON line with its URL, CA and every cluster's admin credential.
 */
import { startKubeSim } from '../apps/kube-sim/src';

async function main() {
  const clusters = Number(process.argv[2] ?? 1000);
  // Prewarmed (KUBE_SIM_PREWARM=0 turns it off): a cold sync pass then times the worker, not ~10 ms of generation per cluster.
  const sim = await startKubeSim({ clusters, port: 0, seed: Number(process.argv[3] ?? 1), tls: true, prewarm: process.env.KUBE_SIM_PREWARM !== '0' });
  const names = sim.clusterNames();
  process.stdout.write(
    JSON.stringify({ url: sim.url, caPem: sim.caPem, clusters: names.map((name) => ({ name, url: sim.clusterUrl(name), token: sim.adminToken(name) })) }) + '\n',
  );
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: Error) => {
  process.stderr.write(`kube-sim-process: ${err.message}\n`);
  process.exit(1);
});
