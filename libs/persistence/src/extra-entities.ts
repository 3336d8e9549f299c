/** Entities of later features (compliance, upgrades, inspections) register here. */
export const EXTRA_ENTITIES: Array<new (...args: any[]) => unknown> = [];
