/** Thrown when the upgrade must end FAILED with an operator-readable reason (never retried). */
export class UpgradeFailure extends Error {}
