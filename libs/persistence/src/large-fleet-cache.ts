/**
 * A few-seconds cache for aggregates over large fleets (the filtered totalCount of the cluster
 * list, the fleet summary). Counting 10,000 rows costs milliseconds of database CPU per request;
 * a dashboard does not need that number fresher than a couple of seconds. Small results are not
 * cached at all, so small organizations (and tests) always see exact, immediate figures.
 * Per process on purpose: it holds nothing another replica needs.
 */
export class LargeFleetCache<T> {
  private readonly entries = new Map<string, { value: T; expiresAt: number }>();
  /** One computation per key at a time: concurrent misses share it instead of stampeding. */
  private readonly inFlight = new Map<string, Promise<T>>();

  constructor(
    private readonly ttlMs: number,
    private readonly minSizeToCache: number,
    private readonly maxEntries = 5000,
  ) {}

  async get(key: string, size: (value: T) => number, compute: () => Promise<T>): Promise<T> {
    return this.known(key) ?? this.track(key, size, compute());
  }

  /** The fresh value of key, or its computation under way; undefined when the caller must compute it (then track() it). */
  known(key: string): T | Promise<T> | undefined {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > Date.now()) return hit.value;
    return this.inFlight.get(key);
  }

  /**
   * Takes a computation of key the caller started itself (e.g. as part of a bigger statement):
   * concurrent misses join it, and its value is kept when large enough.
   */
  async track(key: string, size: (value: T) => number, computing: Promise<T>): Promise<T> {
    const now = Date.now();
    this.inFlight.set(key, computing);
    let value: T;
    try {
      value = await computing;
    } finally {
      if (this.inFlight.get(key) === computing) this.inFlight.delete(key);
    }
    if (size(value) >= this.minSizeToCache) {
      if (this.entries.size >= this.maxEntries) this.entries.clear();
      this.entries.set(key, { value, expiresAt: now + this.ttlMs });
    } else {
      this.entries.delete(key);
    }
    return value;
  }
}
