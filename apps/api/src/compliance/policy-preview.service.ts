import { Injectable } from '@nestjs/common';
import { ClusterSnapshotRepository } from '@flotilla/persistence';
import { ClusterSnapshot, PolicyDefinition, Violation, evaluatePolicy, snapshotKindsFor } from '@flotilla/policy';
import { ViewerContext } from '../auth/viewer';
import { CreatePolicyInput } from './compliance.inputs';
import { PolicyService } from './policy.service';

/** Clusters and violations kept per preview for the answer's pages (counts are always exact). */
export const PREVIEW_MAX_CLUSTERS = 200;
export const PREVIEW_MAX_VIOLATIONS = 100;

export interface PreviewCluster {
  clusterId: string;
  violationCount: number;
  violations: Violation[];
}

export interface PolicyPreview {
  evaluatedClusters: number;
  /** In scope but not evaluable: no snapshot yet, or one that lacks a kind the policy reads. */
  notEvaluatedClusters: number;
  wouldViolateClusters: number;
  newlyNonCompliantClusters: number;
  oldestSnapshotAt: Date | null;
  clusters: PreviewCluster[];
}

/**
 * previewPolicy: the would-be policy evaluated on the latest cached snapshot of every cluster in
 * its scope, in the API process. It reads PostgreSQL only (no cluster is contacted, nothing is
 * written) and answers in the same request, which a worker job could only do by the API waiting
 * on a queue round trip; evaluation yields to the event loop between clusters so other requests
 * keep being served, and previews run one at a time per API process.
 */
@Injectable()
export class PolicyPreviewService {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly policies: PolicyService,
    private readonly snapshots: ClusterSnapshotRepository,
  ) {}

  async preview(viewer: ViewerContext, input: CreatePolicyInput): Promise<PolicyPreview> {
    const { name, scope } = await this.policies.checkNewPolicy(viewer, input);
    const run = this.queue.then(() => this.evaluate(viewer, input, name, scope));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async evaluate(viewer: ViewerContext, input: CreatePolicyInput, name: string, scope: { groupId: string | null; clusterId: string | null }): Promise<PolicyPreview> {
    const policy: PolicyDefinition = { id: 'preview', name, type: input.type, mode: input.mode, spec: input.spec };
    const kinds = snapshotKindsFor([policy]);
    const stored = await this.snapshots.latest(viewer.organizationId, kinds, scope);
    const inScope = await this.snapshots.countInScope(viewer.organizationId, scope);
    const result: PolicyPreview = { evaluatedClusters: 0, notEvaluatedClusters: 0, wouldViolateClusters: 0, newlyNonCompliantClusters: 0, oldestSnapshotAt: null, clusters: [] };
    for (let i = 0; i < stored.length; i++) {
      const s = stored[i];
      if (i % 25 === 24) await new Promise((resolve) => setImmediate(resolve));
      if (kinds.some((k) => !(k in s.objects))) continue;
      let violations: Violation[];
      try {
        violations = evaluatePolicy(policy, s.objects as ClusterSnapshot).violations;
      } catch {
        continue;
      }
      result.evaluatedClusters++;
      if (!result.oldestSnapshotAt || s.takenAt < result.oldestSnapshotAt) result.oldestSnapshotAt = s.takenAt;
      if (violations.length === 0) continue;
      result.wouldViolateClusters++;
      if (s.complianceStatus === 'COMPLIANT') result.newlyNonCompliantClusters++;
      if (result.clusters.length < PREVIEW_MAX_CLUSTERS) result.clusters.push({ clusterId: s.clusterId, violationCount: violations.length, violations: violations.slice(0, PREVIEW_MAX_VIOLATIONS) });
    }
    result.notEvaluatedClusters = inScope - result.evaluatedClusters;
    return result;
  }
}
