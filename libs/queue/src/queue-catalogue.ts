/**
 * The typed job catalogue: every queue, every job name, and the payload each job carries.
 * Payloads hold ids only — workers load credentials and rows themselves.
 */
import { isUuid } from '@flotilla/validation';

export enum QueueName {
  ClusterSync = 'cluster-sync',
  Compliance = 'compliance',
  Upgrade = 'upgrade',
  Inspection = 'inspection',
  /** Webhook deliveries: their own queue, attempts and back-off (see QueueSet's per-queue options). */
  Webhook = 'webhook',
}

export enum JobName {
  SyncCluster = 'sync-cluster',
  ScanCluster = 'scan-cluster',
  RunUpgrade = 'run-upgrade',
  RunInspection = 'run-inspection',
  /** Remove, on one cluster, the objects an ENFORCE policy created (it was deleted or switched to AUDIT). */
  CleanupPolicyObjects = 'cleanup-policy-objects',
  /** Provision (or deprovision) one cluster through Cluster API on its management cluster, and follow it. */
  RunProvisioning = 'run-provisioning',
  /** Send one fleet event to one webhook (the delivery row holds which). */
  DeliverWebhook = 'deliver-webhook',
}

export interface JobPayloads {
  [JobName.SyncCluster]: { organizationId: string; clusterId: string };
  [JobName.ScanCluster]: { organizationId: string; scanId: string; clusterId: string };
  [JobName.RunUpgrade]: { organizationId: string; upgradeId: string };
  [JobName.RunInspection]: { organizationId: string; inspectionId: string };
  [JobName.CleanupPolicyObjects]: { organizationId: string; policyId: string; clusterId: string };
  [JobName.RunProvisioning]: { organizationId: string; clusterId: string };
  /** Ids only: the worker loads the event and decrypts the webhook's secret itself. */
  [JobName.DeliverWebhook]: { organizationId: string; deliveryId: string };
}

export const JOB_QUEUE: { [J in JobName]: QueueName } = {
  [JobName.SyncCluster]: QueueName.ClusterSync,
  [JobName.ScanCluster]: QueueName.Compliance,
  [JobName.RunUpgrade]: QueueName.Upgrade,
  [JobName.RunInspection]: QueueName.Inspection,
  [JobName.CleanupPolicyObjects]: QueueName.Compliance,
  // Cluster lifecycle through Cluster API, followed like upgrades: the same queue.
  [JobName.RunProvisioning]: QueueName.Upgrade,
  [JobName.DeliverWebhook]: QueueName.Webhook,
};

/**
 * Deterministic ids: enqueuing the same work twice is one job. (BullMQ 6 refuses ':' in custom
 * ids, so the parts are joined with '.'.)
 */
export const jobIds = {
  syncCluster: (clusterId: string, tick: string | number) => `sync.${clusterId}.${String(tick).replace(/[^A-Za-z0-9-]/g, '')}`,
  scanCluster: (scanId: string, clusterId: string) => `scan.${scanId}.cluster.${clusterId}`,
  /** The first job of an upgrade, or (seq ≥ 1) the follow-up that took over from the one before. */
  runUpgrade: (upgradeId: string, followSeq = 0) => (followSeq > 0 ? `upgrade.${upgradeId}.follow-${followSeq}` : `upgrade.${upgradeId}`),
  runInspection: (inspectionId: string) => `inspection.${inspectionId}`,
  /** Per provisioned cluster: the phase's first job ("provision" or "deprovision"), or (seq ≥ 1) a follow-up. */
  runProvisioning: (clusterId: string, action: 'provision' | 'deprovision', followSeq = 0) => `${action}.${clusterId}${followSeq > 0 ? `.follow-${followSeq}` : ''}`,
  /** One per policy change (the tick is the policy's updated_at) and cluster. */
  cleanupPolicyObjects: (policyId: string, clusterId: string, tick: string | number) =>
    `cleanup.${policyId}.cluster.${clusterId}.${String(tick).replace(/[^A-Za-z0-9-]/g, '')}`,
  /** One per delivery (event × webhook); its retries are the same job's attempts. */
  deliverWebhook: (deliveryId: string) => `webhook.${deliveryId}`,
};

const REQUIRED_IDS: { [J in JobName]: Array<keyof JobPayloads[J]> } = {
  [JobName.SyncCluster]: ['organizationId', 'clusterId'],
  [JobName.ScanCluster]: ['organizationId', 'scanId', 'clusterId'],
  [JobName.RunUpgrade]: ['organizationId', 'upgradeId'],
  [JobName.RunInspection]: ['organizationId', 'inspectionId'],
  [JobName.CleanupPolicyObjects]: ['organizationId', 'policyId', 'clusterId'],
  [JobName.RunProvisioning]: ['organizationId', 'clusterId'],
  [JobName.DeliverWebhook]: ['organizationId', 'deliveryId'],
};

export class InvalidJobPayloadError extends Error {}

/** Validates a payload as the worker takes it; an invalid one fails without retries. */
export function parsePayload<J extends JobName>(name: J, data: unknown): JobPayloads[J] {
  if (!data || typeof data !== 'object') throw new InvalidJobPayloadError(`${name}: payload is not an object`);
  for (const key of REQUIRED_IDS[name]) {
    const v = (data as Record<string, unknown>)[key as string];
    if (!isUuid(v)) throw new InvalidJobPayloadError(`${name}: ${String(key)} must be a uuid`);
  }
  return data as JobPayloads[J];
}

export function outboxMessage<J extends JobName>(name: J, jobId: string, payload: JobPayloads[J]) {
  return { queue: JOB_QUEUE[name], jobName: name, jobId, payload: payload as unknown as Record<string, unknown> };
}
