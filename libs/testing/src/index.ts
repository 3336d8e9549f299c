export { repoRoot, sharedDir } from './paths';
export { eventually } from './eventually';
export { PrivatePostgres, PrivateRedis, freePort } from './private-services';
