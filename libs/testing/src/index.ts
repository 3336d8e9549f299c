export { repoRoot, sharedDir } from './paths';
export { eventually } from './eventually';
export { TEST_CA_DATA, TEST_CA_PEM } from './test-ca.fixture';
export { PrivatePostgres, PrivateRedis, PrivateRedisCluster, freePort } from './private-services';
