/**
 * The Node.js flags the worker runs with (Dockerfile, docker-compose, `npm run start:worker`, the
 * dev stack, the benchmarks and the chaos suite). A scan parses each cluster's lists and holds the
 * objects across the awaits of its writes: with 32 jobs in flight they outlive V8's default 16 MiB
 * semi-space, get promoted and cost old-generation collections. 64 MiB measured on the compliance
 * bench (1,000 clusters, same run of the machine): worker CPU per cluster on a first scan 17.8 → 14.3
 * ms, on repeat scans 5.3–7.0 → 4.8–4.9 ms (32 MiB: 14.6, 5.5–5.9), for ~90 MiB more RSS.
 * V8 sizes its heap at start: the flag cannot be set from inside the process.
 */
export const WORKER_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
