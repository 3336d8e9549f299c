import { DataSource } from 'typeorm';
import { ApiTokenRepository } from './repositories/api-token.repository';
import { AuditRepository } from './repositories/audit.repository';
import { ClusterAgentRepository } from './repositories/cluster-agent.repository';
import { ClusterCredentialRepository } from './repositories/cluster-credential.repository';
import { ClusterGroupRepository } from './repositories/cluster-group.repository';
import { ClusterRepository } from './repositories/cluster.repository';
import { JobRecordRepository } from './repositories/job-record.repository';
import { OrganizationRepository } from './repositories/organization.repository';
import { OutboxRepository } from './repositories/outbox.repository';
import { StrandedWorkRepository } from './repositories/stranded-work.repository';
import { WebhookRepository } from './repositories/webhook.repository';

export type RepositoryClass = new (db: DataSource) => unknown;

/** The registry's repositories, which every process (API, worker) builds over its DataSource. */
export const REGISTRY_REPOSITORIES: RepositoryClass[] = [
  OrganizationRepository,
  ApiTokenRepository,
  AuditRepository,
  ClusterGroupRepository,
  ClusterRepository,
  ClusterCredentialRepository,
  ClusterAgentRepository,
  OutboxRepository,
  JobRecordRepository,
  StrandedWorkRepository,
  // Every feature publishes fleet events (FleetEvents), so both processes build this one.
  WebhookRepository,
];

/** Nest providers for repository classes, each constructed with the DataSource behind `dataSourceToken`. */
export function repositoryProviders(dataSourceToken: symbol, classes: RepositoryClass[]) {
  return classes.map((R) => ({ provide: R, inject: [dataSourceToken], useFactory: (db: DataSource) => new R(db) }));
}
