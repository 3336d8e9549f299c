import { Env, resolveCredentials } from './cli-config';
import { GraphqlClient } from './graphql-client';
import { Io } from './output';

/** What every command runs against; tests substitute io, env and fetch. */
export interface CliContext {
  io: Io;
  env: Env;
  fetchImpl?: typeof fetch;
}

/** A client for the logged-in API (env overrides the stored config). */
export function apiClient(ctx: CliContext): GraphqlClient {
  const { api, token } = resolveCredentials(ctx.env);
  return new GraphqlClient({ api, token, fetchImpl: ctx.fetchImpl });
}
