import { DynamicModule, Type } from '@nestjs/common';
import { ComplianceModule } from './compliance/compliance.module';
import { UpgradesModule } from './upgrades/upgrades.module';

/** Feature modules (compliance, upgrades, inspections) register here to join the API. */
export const FEATURE_MODULES: Array<Type<unknown> | DynamicModule> = [ComplianceModule, UpgradesModule];
