/** Injection tokens for the connections every process (API, worker) provides: one set, one meaning. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const REDIS = Symbol('REDIS');
export const QUEUES = Symbol('QUEUES');
export const CREDENTIAL_CIPHER = Symbol('CREDENTIAL_CIPHER');
/** The wall clock decisions about time are made with (credential renewal); a process may be given another (tests). */
export const CLOCK = Symbol('CLOCK');

export interface Clock {
  now(): Date;
}

export const SYSTEM_CLOCK: Clock = Object.freeze({ now: () => new Date() });
