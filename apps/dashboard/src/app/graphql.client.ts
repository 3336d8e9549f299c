import { Client, cacheExchange, fetchExchange, mapExchange, type CombinedError } from '@urql/core';

/** The error an operation's field is at fault for (`extensions.field`, e.g. "input.spec.level"), or the first one. */
export interface FieldError {
  field?: string;
  code?: string;
  message: string;
}

export function fieldErrors(error: CombinedError | undefined): FieldError[] {
  if (!error) return [];
  if (error.networkError && !error.graphQLErrors.length) return [{ message: 'The API cannot be reached. Try again in a moment.' }];
  return error.graphQLErrors.map((e) => ({
    message: e.message,
    field: typeof e.extensions?.field === 'string' ? e.extensions.field : undefined,
    code: typeof e.extensions?.code === 'string' ? e.extensions.code : undefined,
  }));
}

export function errorText(error: CombinedError | undefined): string | null {
  const errors = fieldErrors(error);
  return errors.length ? errors.map((e) => e.message).join('; ') : null;
}

function isUnauthenticated(error: CombinedError): boolean {
  return error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
}

/**
 * One urql client per signed-in token, on the API's own origin. urql's document cache answers a
 * page visited again at once and refetches it in the background (cache-and-network); a mutation's
 * result invalidates every cached query that holds its type (a new policy refreshes the list). An
 * expired or revoked token signs the user out.
 */
export function createGraphqlClient(token: string, onUnauthenticated: () => void): Client {
  return new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    preferGetMethod: false,
    fetchOptions: () => ({ headers: { authorization: `Bearer ${token}` } }),
    exchanges: [
      mapExchange({
        onError(error) {
          if (isUnauthenticated(error)) onUnauthenticated();
        },
      }),
      cacheExchange,
      fetchExchange,
    ],
  });
}
