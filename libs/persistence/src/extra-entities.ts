import { InspectionEntity } from './entities/inspection.entity';
import { UpgradeEntity } from './entities/upgrade.entity';
/** Entities of later features (compliance, upgrades, inspections) register here. */
export const EXTRA_ENTITIES: Array<new (...args: any[]) => unknown> = [UpgradeEntity, InspectionEntity];
