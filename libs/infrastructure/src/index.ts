// The connections every process provides under one set of injection tokens.
export { APP_CONFIG, CREDENTIAL_CIPHER, DATA_SOURCE, QUEUES, REDIS } from './infrastructure.tokens';
export { closeConnections, connectionProviders } from './connection.providers';
export type { ConnectionOptions } from './connection.providers';
