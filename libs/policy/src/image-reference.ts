/**
 * Image references as the container runtime resolves them: "nginx" is docker.io/library/nginx,
 * "acme/app" is docker.io/acme/app, and the first path component is a registry host only when it
 * looks like one (has a "." or ":", or is "localhost").
 */
export interface NormalisedImage {
  /** Registry host, lowercase, e.g. docker.io, ghcr.io, localhost:5000. */
  registry: string;
  /** registry/path[:tag][@digest], e.g. docker.io/library/nginx:1.25. */
  reference: string;
}

const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com']);

export function normaliseImage(image: string): NormalisedImage {
  const trimmed = image.trim();
  const slash = trimmed.indexOf('/');
  const first = slash === -1 ? '' : trimmed.slice(0, slash);
  const hasRegistry = slash !== -1 && (first.includes('.') || first.includes(':') || first === 'localhost');
  let registry = hasRegistry ? first.toLowerCase() : 'docker.io';
  let path = hasRegistry ? trimmed.slice(slash + 1) : trimmed;
  if (DOCKER_HUB_ALIASES.has(registry)) {
    registry = 'docker.io';
    // Official images live under library/.
    if (!path.includes('/')) path = `library/${path}`;
  }
  return { registry, reference: `${registry}/${path}` };
}

/** An entry ending in "/" is a path prefix (ghcr.io/acme/); otherwise it is a registry host. */
export function imageAllowed(image: NormalisedImage, allowedRegistries: readonly string[]): boolean {
  return allowedRegistries.some((entry) => {
    if (entry.endsWith('/')) return image.reference.startsWith(normaliseEntryPrefix(entry));
    return image.registry === normaliseEntryHost(entry);
  });
}

function normaliseEntryHost(entry: string): string {
  return DOCKER_HUB_ALIASES.has(entry) ? 'docker.io' : entry;
}

function normaliseEntryPrefix(entry: string): string {
  const slash = entry.indexOf('/');
  const host = entry.slice(0, slash);
  return DOCKER_HUB_ALIASES.has(host) ? `docker.io${entry.slice(slash)}` : entry;
}
