export { issueToken, hashToken, tokenPrefix, tokenMatches } from './api-token.codec';
export { bootstrapAdmin } from './bootstrap-admin';
