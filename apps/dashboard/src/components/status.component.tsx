// Status shown as words and a colour together (never colour alone), with contrast >= 4.5:1.
const TONE: Record<string, string> = {
  CONNECTED: 'good',
  COMPLIANT: 'good',
  SUCCEEDED: 'good',
  PASS: 'good',
  DEGRADED: 'warn',
  WARN: 'warn',
  PENDING: 'neutral',
  QUEUED: 'neutral',
  RUNNING: 'info',
  UNKNOWN: 'neutral',
  SKIP: 'neutral',
  DETACHED: 'neutral',
  CANCELLED: 'neutral',
  UNREACHABLE: 'bad',
  NON_COMPLIANT: 'bad',
  ERROR: 'bad',
  FAILED: 'bad',
  FAIL: 'bad',
};

export const humanize = (value: string): string => value.charAt(0) + value.slice(1).toLowerCase().replace(/_/g, ' ');

export function StatusBadge({ value }: { value: string }) {
  return <span className={`badge badge-${TONE[value] ?? 'neutral'}`}>{humanize(value)}</span>;
}

const PROVIDER_LABELS: Record<string, string> = { VSPHERE: 'vSphere', EKS: 'EKS', GKE: 'GKE', AKS: 'AKS', OPENSHIFT: 'OpenShift', GENERIC: 'Generic' };

export const providerLabel = (provider: string): string => PROVIDER_LABELS[provider] ?? provider;
