import { AgentRunner } from './agent-runner';
import { inClusterTarget, kubeconfigTarget } from './agent-kube';

/**
 * The agent process (the Docker image's `agent` target): in a pod it uses the in-cluster
 * configuration; FLOTILLA_AGENT_KUBECONFIG points it at a kubeconfig instead, and
 * FLOTILLA_AGENT_ENDPOINT overrides the endpoint of its registration Secret.
 */
async function main(): Promise<void> {
  const file = process.env.FLOTILLA_AGENT_KUBECONFIG;
  const target = file ? kubeconfigTarget(file) : inClusterTarget();
  const runner = new AgentRunner({ target, endpoint: process.env.FLOTILLA_AGENT_ENDPOINT || undefined, log: (l) => process.stderr.write(`${l}\n`) });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => runner.stop());
  const exit = await runner.run();
  if (exit.reason === 'refused') {
    process.stderr.write(`flotilla agent: ${exit.message}\n`);
    process.exit(3);
  }
}

main().catch((err: Error) => {
  process.stderr.write(`flotilla agent failed: ${err.message}\n`);
  process.exit(1);
});
