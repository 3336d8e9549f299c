import { DynamicModule, Type } from '@nestjs/common';
import { ComplianceModule } from './compliance/compliance.module';

/** Feature modules (compliance, upgrades, inspections) register here to join the API. */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [ComplianceModule];
