import { Registry1764000000000 } from './1764000000000-registry';
import { Compliance1764000000100 } from './1764000000100-compliance';
import { UpgradesInspections1764000000200 } from './1764000000200-upgrades-inspections';
import { AuditEventUuid1765000000200 } from './1765000000200-audit-event-uuid';
import { AgentIdentityHardening1765000000300 } from './1765000000300-agent-identity-hardening';
import { ClusterAgents1766000000100 } from './1766000000100-cluster-agents';
import { ShortLivedCredentials1766000000200 } from './1766000000200-short-lived-credentials';
import { UpgradeCampaigns1766000000300 } from './1766000000300-upgrade-campaigns';
import { Webhooks1766000000400 } from './1766000000400-webhooks';
import { ComplianceHistory1766000000500 } from './1766000000500-compliance-history';
import { PolicyExceptions1766000000510 } from './1766000000510-policy-exceptions';
import { PolicyPreview1766000000600 } from './1766000000600-policy-preview';
import { ClusterProvisionings1766000000700 } from './1766000000700-cluster-provisionings';
import { Workspaces1766000000800 } from './1766000000800-workspaces';
import { ClusterSearch1766000000900 } from './1766000000900-cluster-search';
import { ScanReuse1766000001000 } from './1766000001000-scan-reuse';
import { CarriedViolations1766000001100 } from './1766000001100-carried-violations';

/** Every migration, in order. A new migration is added here as well as in its file. */
export const ALL_MIGRATIONS = [
  Registry1764000000000,
  Compliance1764000000100,
  UpgradesInspections1764000000200,
  AuditEventUuid1765000000200,
  AgentIdentityHardening1765000000300,
  ClusterAgents1766000000100,
  ShortLivedCredentials1766000000200,
  UpgradeCampaigns1766000000300,
  Webhooks1766000000400,
  ComplianceHistory1766000000500,
  PolicyExceptions1766000000510,
  PolicyPreview1766000000600,
  ClusterProvisionings1766000000700,
  Workspaces1766000000800,
  ClusterSearch1766000000900,
  ScanReuse1766000001000,
  CarriedViolations1766000001100,
];
