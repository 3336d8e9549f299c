import { ComplianceRepository, CurrentPolicyResultRow } from '@flotilla/persistence';
import { ViewerContext } from '../auth/viewer';
import { seesObject } from '../auth/workspace-restriction';
import { ComplianceStatusEnum } from '../common/enums';
import { ClusterComplianceModel } from './compliance.models';

export const NEVER_SCANNED: ClusterComplianceModel = { status: ComplianceStatusEnum.UNKNOWN, violationCount: 0, checkedAt: null, reason: null };

/** The current results with every violation the viewer may not see left out (unchanged for an unrestricted viewer). */
export function visibleResults(viewer: ViewerContext, rows: CurrentPolicyResultRow[]): CurrentPolicyResultRow[] {
  if (!viewer.workspace) return rows;
  return rows.map((r) => {
    const violations = r.violations.filter((v) => seesObject(viewer, r.clusterId, v));
    const status = r.status === 'NON_COMPLIANT' && violations.length === 0 ? 'COMPLIANT' : r.status;
    // What ENFORCE did elsewhere on the cluster is not the workspace's business either.
    return { ...r, violations, status, enforcement: null };
  });
}

/** Each cluster's compliance as a workspace-restricted viewer sees it: from its visible findings only. */
export async function workspaceCompliance(rollups: ComplianceRepository, viewer: ViewerContext, organizationId: string, ids: readonly string[]): Promise<ClusterComplianceModel[]> {
  const [rollupRows, results] = await Promise.all([rollups.forClusters(organizationId, ids), rollups.currentResults(organizationId, ids)]);
  const byId = new Map(rollupRows.map((r) => [r.clusterId, r]));
  const visible = visibleResults(viewer, results);
  return ids.map((id) => {
    const r = byId.get(id);
    if (!r) return NEVER_SCANNED;
    if (r.status === 'ERROR' || r.status === 'UNKNOWN') return { status: r.status as ComplianceStatusEnum, violationCount: 0, checkedAt: r.checkedAt, reason: r.reason };
    const mine = visible.filter((v) => v.clusterId === id);
    const violationCount = mine.reduce((n, v) => n + v.violations.length, 0);
    const status = mine.some((v) => v.status === 'ERROR') ? ComplianceStatusEnum.ERROR : violationCount > 0 ? ComplianceStatusEnum.NON_COMPLIANT : ComplianceStatusEnum.COMPLIANT;
    return { status, violationCount, checkedAt: r.checkedAt, reason: status === ComplianceStatusEnum.ERROR ? r.reason : null };
  });
}
