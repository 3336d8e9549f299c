/** Injection tokens for the API's infrastructure providers. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const DATA_SOURCE = Symbol('DATA_SOURCE');
export const REDIS = Symbol('REDIS');
export const QUEUES = Symbol('QUEUES');
export const CREDENTIAL_CIPHER = Symbol('CREDENTIAL_CIPHER');
