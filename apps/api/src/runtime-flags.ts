/**
 * The Node.js flags the API runs with (Dockerfile, docker-compose, `npm run start:api`, the dev
 * stack and the benchmarks). A request's objects (pg rows, models, the response) die young, but
 * with 50 requests in flight V8's default 16 MiB semi-space fills before they do: they survive
 * scavenges, get promoted and cost old-generation collections. 32 MiB measured ClusterList at
 * 10,000 clusters: API CPU per request 1.30 → 1.09 ms; 64 MiB bought nothing more.
 * V8 sizes its heap at start: the flag cannot be set from inside the process.
 */
export const API_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=32'];
