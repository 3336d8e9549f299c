import { registerEnumType } from '@nestjs/graphql';

/** The compliance feature's GraphQL enums, named and valued exactly as the contract's schema-minimum. */
export enum PolicyTypeEnum {
  ACCESS = 'ACCESS',
  NETWORK = 'NETWORK',
  QUOTA = 'QUOTA',
  IMAGE_REGISTRY = 'IMAGE_REGISTRY',
  SECURITY = 'SECURITY',
  LABELS = 'LABELS',
  CUSTOM = 'CUSTOM',
}
export enum PolicyModeEnum {
  AUDIT = 'AUDIT',
  ENFORCE = 'ENFORCE',
}
export enum PolicyScopeKindEnum {
  ORGANIZATION = 'ORGANIZATION',
  GROUP = 'GROUP',
  CLUSTER = 'CLUSTER',
  WORKSPACE = 'WORKSPACE',
}
export enum ScanTriggerEnum {
  MANUAL = 'MANUAL',
  SCHEDULED = 'SCHEDULED',
}

registerEnumType(PolicyTypeEnum, { name: 'PolicyType' });
registerEnumType(PolicyModeEnum, { name: 'PolicyMode' });
registerEnumType(PolicyScopeKindEnum, { name: 'PolicyScopeKind' });
registerEnumType(ScanTriggerEnum, { name: 'ScanTrigger' });
