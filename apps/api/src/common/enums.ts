import { registerEnumType } from '@nestjs/graphql';

/** GraphQL enums, named and valued exactly as the contract's schema-minimum. */
export enum RoleEnum { ADMIN = 'ADMIN', OPERATOR = 'OPERATOR', VIEWER = 'VIEWER' }
export enum ProviderEnum { VSPHERE = 'VSPHERE', EKS = 'EKS', GKE = 'GKE', AKS = 'AKS', OPENSHIFT = 'OPENSHIFT', GENERIC = 'GENERIC' }
export enum ClusterStatusEnum { PENDING = 'PENDING', CONNECTED = 'CONNECTED', DEGRADED = 'DEGRADED', UNREACHABLE = 'UNREACHABLE', DETACHED = 'DETACHED' }
export enum ComplianceStatusEnum { COMPLIANT = 'COMPLIANT', NON_COMPLIANT = 'NON_COMPLIANT', ERROR = 'ERROR', UNKNOWN = 'UNKNOWN' }
export enum SortDirectionEnum { ASC = 'ASC', DESC = 'DESC' }
export enum ClusterOrderFieldEnum { NAME = 'NAME', LAST_SEEN_AT = 'LAST_SEEN_AT', KUBERNETES_VERSION = 'KUBERNETES_VERSION', ATTACHED_AT = 'ATTACHED_AT' }
export enum JobStatusEnum { QUEUED = 'QUEUED', RUNNING = 'RUNNING', SUCCEEDED = 'SUCCEEDED', FAILED = 'FAILED', CANCELLED = 'CANCELLED' }

registerEnumType(RoleEnum, { name: 'Role' });
registerEnumType(ProviderEnum, { name: 'Provider' });
registerEnumType(ClusterStatusEnum, { name: 'ClusterStatus' });
registerEnumType(ComplianceStatusEnum, { name: 'ComplianceStatus' });
registerEnumType(SortDirectionEnum, { name: 'SortDirection' });
registerEnumType(ClusterOrderFieldEnum, { name: 'ClusterOrderField' });
registerEnumType(JobStatusEnum, { name: 'JobStatus' });
