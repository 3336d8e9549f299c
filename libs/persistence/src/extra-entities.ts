/** Entities of later features (compliance, upgrades, inspections) register here. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const EXTRA_ENTITIES: Array<new (...args: any[]) => unknown> = [];
