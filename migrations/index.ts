import { Registry1764000000000 } from './1764000000000-registry';
import { Compliance1764000000100 } from './1764000000100-compliance';
import { UpgradesInspections1764000000200 } from './1764000000200-upgrades-inspections';
import { AuditEventUuid1765000000200 } from './1765000000200-audit-event-uuid';
import { AgentIdentityHardening1765000000300 } from './1765000000300-agent-identity-hardening';
import { ComplianceHistory1766000000500 } from './1766000000500-compliance-history';
import { PolicyExceptions1766000000510 } from './1766000000510-policy-exceptions';

/** Every migration, in order. A new migration is added here as well as in its file. */
export const ALL_MIGRATIONS = [
  Registry1764000000000,
  Compliance1764000000100,
  UpgradesInspections1764000000200,
  AuditEventUuid1765000000200,
  AgentIdentityHardening1765000000300,
  ComplianceHistory1766000000500,
  PolicyExceptions1766000000510,
];
