import { CliError, EXIT_API, EXIT_FAILURE } from './cli-error';
import { OperationName, operationText } from './operations';

export interface GraphqlErrorEntry {
  message: string;
  path?: Array<string | number>;
  extensions?: { code?: string; field?: string; [key: string]: unknown };
}

export const NOT_LOGGED_IN = 'not logged in or token expired/revoked: run flotilla login';

/** The API answered with GraphQL errors; `code` is the first error's extensions.code. */
export class GraphqlRequestError extends CliError {
  constructor(readonly errors: GraphqlErrorEntry[]) {
    // A refused token is "cannot authenticate" (3); anything else the API said is a failure (1).
    super(describeErrors(errors), errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED') ? EXIT_API : EXIT_FAILURE);
    this.name = 'GraphqlRequestError';
  }

  get code(): string | undefined {
    return this.errors.find((e) => e.extensions?.code)?.extensions?.code;
  }
}

function describeErrors(errors: GraphqlErrorEntry[]): string {
  if (errors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return NOT_LOGGED_IN;
  return errors
    .map((e) => {
      const field = e.extensions?.field;
      return typeof field === 'string' && field ? `${e.message} (field: ${field})` : e.message;
    })
    .join('; ');
}

/** `--api` may name the server or its GraphQL endpoint; requests go to `<server>/graphql`. */
export function graphqlEndpoint(api: string): string {
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new CliError(`invalid API URL ${JSON.stringify(api)}: expected e.g. http://127.0.0.1:4000`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new CliError(`invalid API URL ${api}: use http:// or https://`);
  if (!url.pathname.endsWith('/graphql')) url.pathname = `${url.pathname.replace(/\/+$/, '')}/graphql`;
  return url.toString();
}

export interface GraphqlClientOptions {
  api: string;
  token: string;
  timeoutMs?: number;
  fetchImpl?: typeof fetch;
}

/** The CLI's one seam to the API: POST {query, operationName, variables} with the bearer token. */
export class GraphqlClient {
  private readonly endpoint: string;

  constructor(private readonly options: GraphqlClientOptions) {
    this.endpoint = graphqlEndpoint(options.api);
  }

  async request<T>(operationName: OperationName, variables: Record<string, unknown> = {}): Promise<T> {
    const fetchImpl = this.options.fetchImpl ?? fetch;
    let response: Response;
    try {
      response = await fetchImpl(this.endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${this.options.token}` },
        body: JSON.stringify({ query: operationText(operationName), operationName, variables }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 30_000),
      });
    } catch (err) {
      throw new CliError(`cannot reach the Flotilla API at ${this.endpoint}: ${this.scrub(networkReason(err))}`, EXIT_API);
    }
    const text = await response.text();
    let body: { data?: T | null; errors?: GraphqlErrorEntry[] } | undefined;
    try {
      body = JSON.parse(text) as typeof body;
    } catch {
      body = undefined;
    }
    if (body?.errors?.length) throw new GraphqlRequestError(body.errors.map((e) => ({ ...e, message: this.scrub(String(e.message)) })));
    if (response.status === 401) throw new GraphqlRequestError([{ message: NOT_LOGGED_IN, extensions: { code: 'UNAUTHENTICATED' } }]);
    if (!response.ok || !body?.data) {
      throw new CliError(`the Flotilla API at ${this.endpoint} answered HTTP ${response.status} without data`, EXIT_API);
    }
    return body.data;
  }

  /** Belt and braces: the token never appears in anything the CLI prints. */
  private scrub(message: string): string {
    return this.options.token ? message.split(this.options.token).join('***') : message;
  }
}

function networkReason(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message;
}
