/**
 * How far a Cluster API `Cluster` is, from its status alone (pure): what the provisioning job
 * follows. Ready for Flotilla = the control plane is ready (the kubeconfig Secret exists from then
 * on and the API server answers); failed = a condition with severity Error or phase Failed.
 */
export interface CapiCondition {
  type: string;
  status: string;
  severity?: string;
  reason?: string;
  message?: string;
}

export interface CapiClusterStatus {
  phase?: string;
  controlPlaneReady?: boolean;
  infrastructureReady?: boolean;
  failureReason?: string;
  failureMessage?: string;
  conditions?: CapiCondition[];
}

export type ProvisionProgress =
  | { state: 'waiting'; message: string }
  | { state: 'controlPlaneReady'; message: string }
  | { state: 'failed'; reason: string };

export function assessProvisioning(status: CapiClusterStatus | undefined): ProvisionProgress {
  const conditions = status?.conditions ?? [];
  const error = conditions.find((c) => c.status === 'False' && c.severity === 'Error');
  if (error || status?.phase === 'Failed') {
    const reason = error?.message ?? status?.failureMessage ?? error?.reason ?? status?.failureReason ?? 'the Cluster reports phase Failed';
    return { state: 'failed', reason: `${error?.type ?? 'Cluster'}${error?.reason ? ` (${error.reason})` : ''}: ${reason}` };
  }
  const cp = conditions.find((c) => c.type === 'ControlPlaneReady');
  if (status?.controlPlaneReady === true || cp?.status === 'True') return { state: 'controlPlaneReady', message: 'control plane ready' };
  const pending = conditions.filter((c) => c.status !== 'True').map((c) => `${c.type}: ${c.message ?? c.reason ?? 'not yet'}`);
  return { state: 'waiting', message: `${status?.phase ?? 'Pending'}${pending.length ? ` (${pending.join('; ')})` : ''}` };
}
