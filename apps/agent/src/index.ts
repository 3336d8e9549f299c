export { AgentRunner, AGENT_VERSION, reconnectDelay } from './agent-runner';
export type { AgentExit, AgentRunOptions } from './agent-runner';
export { AGENT_REGISTRATION_SECRET, inClusterTarget, kubeconfigTarget } from './agent-kube';
export type { KubeTarget } from './agent-kube';
