// The operations the dashboard sends: the shared contract's, copied verbatim into ../contract
// (the contract test fails when a copy drifts), and the few of its own in ../operations.
import * as access from '../contract/access.graphql';
import * as compliance from '../contract/compliance.graphql';
import * as governance from '../contract/governance.graphql';
import * as inspections from '../contract/inspections.graphql';
import * as registry from '../contract/registry.graphql';
import * as upgrades from '../contract/upgrades.graphql';
import * as session from '../operations/session.graphql';

function operation(file: Record<string, string>, name: string): string {
  const text = file[name];
  if (!text) throw new Error(`no operation named ${name}`);
  return text;
}

export const DashboardViewer = operation(session, 'DashboardViewer');

export const FleetOverview = operation(registry, 'FleetOverview');
export const ClusterList = operation(registry, 'ClusterList');
export const ClusterDetail = operation(registry, 'ClusterDetail');
export const ClusterGroups = operation(registry, 'ClusterGroups');

export const FleetCompliance = operation(compliance, 'FleetCompliance');
export const ClusterCompliance = operation(compliance, 'ClusterCompliance');
export const Policies = operation(compliance, 'Policies');
export const Scans = operation(compliance, 'Scans');
export const ScanDetail = operation(compliance, 'ScanDetail');
export const CreatePolicy = operation(compliance, 'CreatePolicy');
export const UpdatePolicy = operation(compliance, 'UpdatePolicy');
export const DeletePolicy = operation(compliance, 'DeletePolicy');
export const RunComplianceScan = operation(compliance, 'RunComplianceScan');

export const ComplianceTrend = operation(governance, 'ComplianceTrend');
export const ClusterComplianceHistory = operation(governance, 'ClusterComplianceHistory');
export const ClusterExemptions = operation(governance, 'ClusterExemptions');

export const ClusterUpgrades = operation(upgrades, 'ClusterUpgrades');
export const StartUpgrade = operation(upgrades, 'StartUpgrade');

export const ClusterInspections = operation(inspections, 'ClusterInspections');
export const InspectionDetail = operation(inspections, 'InspectionDetail');
export const RunInspection = operation(inspections, 'RunInspection');

export const AuditLog = operation(access, 'AuditLog');
