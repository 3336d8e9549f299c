export type { InspectionKind, CheckOutcome, Severity, InspectionCheck, Provider, InspectionSnapshot, KubeObject } from './inspection.types';
export { requiredResources } from './required-resources';
export { runInspection, summarize } from './run-inspection';
export { podSecurityLevels } from './pod-security-levels';
