export { QueueName, JobName, JOB_QUEUE, jobIds, parsePayload, outboxMessage, InvalidJobPayloadError } from './queue-catalogue';
export type { JobPayloads } from './queue-catalogue';
export { QueueSet, createRedis, isRedisCluster, bullPrefix, JOB_ATTEMPTS, isLastAttempt, WORKER_LOCK_OPTIONS, STALLED_HANDOFF_MS } from './queue-connection';
export type { RedisConnection, RedisSettings } from './queue-connection';
export { RedisBus, publishOnBus } from './redis-bus';
export { OutboxRelay } from './outbox-relay';
export { PollingLoop } from './polling-loop';
export { QueueStoreWatch } from './queue-store-watch';
export { UpgradeStarter, upgradeStarterProvider } from './upgrade-starter';
