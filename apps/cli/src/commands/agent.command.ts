import { Command } from 'commander';
import { CliContext } from '../cli-context';
import { CliError } from '../cli-error';
import { AgentRunner } from '../../../agent/src/agent-runner';
import { kubeconfigTarget } from '../../../agent/src/agent-kube';

/** `flotilla agent run`: the in-cluster agent's code, run outside the cluster with the agent identity a kubeconfig holds. */
export function registerAgentCommands(program: Command, ctx: CliContext): void {
  const agent = program.command('agent').description('run the outbound agent of a cluster attached with --agent');
  agent
    .command('run')
    .description("run the agent here instead of as a Deployment: it reads its registration from the cluster's flotilla-system namespace and connects out to Flotilla")
    .requiredOption('--kubeconfig <file>', "the agent's identity (what attach --agent-kubeconfig-out wrote), not your own kubeconfig")
    .option('--context <context>', 'kubeconfig context (default: the current context)')
    .option('--endpoint <url>', 'connect here instead of the endpoint in the registration Secret (wss://, or ws:// to loopback)')
    .action(async (opts: { kubeconfig: string; context?: string; endpoint?: string }) => {
      let runner: AgentRunner;
      try {
        runner = new AgentRunner({ target: kubeconfigTarget(opts.kubeconfig, opts.context), endpoint: opts.endpoint, log: (line) => ctx.io.err(`${line}\n`) });
      } catch (err) {
        throw new CliError((err as Error).message);
      }
      const stop = () => runner.stop();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        const exit = await runner.run();
        if (exit.reason === 'refused') throw new CliError(exit.message);
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });
}
