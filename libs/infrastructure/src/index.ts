// The connections every process provides under one set of injection tokens.
export { APP_CONFIG, CLOCK, CREDENTIAL_CIPHER, DATA_SOURCE, QUEUES, REDIS, SYSTEM_CLOCK } from './infrastructure.tokens';
export type { Clock } from './infrastructure.tokens';
export { closeConnections, connectionProviders } from './connection.providers';
export type { ConnectionOptions } from './connection.providers';
