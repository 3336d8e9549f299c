/** A failed Kubernetes API call, carrying what the server's Status said — never the credential. */
export class KubeApiError extends Error {
  constructor(
    message: string,
    readonly statusCode: number | null,
    readonly reason: string | null,
    /** connection refused, timeout, TLS failure… (no HTTP answer at all) */
    readonly transport: boolean,
  ) {
    super(message);
  }

  get notFound(): boolean {
    return this.statusCode === 404;
  }
}
