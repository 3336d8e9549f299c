/**
 * Seeded randomness for content generation. Generation must be pure and repeatable (the server may
 * evict a cluster and rebuild it), so nothing here touches Math.random() or the clock.
 */

/** cyrb53-style 32-bit string hash mixed with a seed; fast and well spread for short keys. */
export function hash32(text: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (h1 ^ h2) >>> 0;
}

const HEX = '0123456789abcdef';
const ALNUM = 'bcdfghjklmnpqrstvwxz2456789'; // the alphabet Kubernetes uses for generateName suffixes

function hex8(n: number): string {
  let out = '';
  for (let i = 28; i >= 0; i -= 4) out += HEX[(n >>> i) & 15];
  return out;
}

const digests = new Map<string, string>();

/** A stable sha256-shaped digest for an image reference: the same image has the same digest in every cluster. */
export function imageDigest(image: string): string {
  let digest = digests.get(image);
  if (digest === undefined) {
    digest = '';
    for (let i = 0; i < 8; i++) digest += hex8(hash32(image, i * 0x9e3779b9));
    digests.set(image, digest);
  }
  return digest;
}

/** A UUID-shaped (v4 layout) id derived from a key, so an object's uid survives regeneration. */
export function uuidFor(key: string, seed: number): string {
  const a = hex8(hash32(key, seed));
  const b = hex8(hash32(key, seed ^ 0x9e3779b9));
  const c = hex8(hash32(key, seed ^ 0x85ebca6b));
  const d = hex8(hash32(key, seed ^ 0xc2b2ae35));
  const variant = HEX[8 + (parseInt(c[0], 16) & 3)];
  return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
}

/** mulberry32: tiny, fast, good enough for picking demo content. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  static forKey(seed: number, key: string): SeededRandom {
    return new SeededRandom(hash32(key, seed));
  }

  /** Float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Integer in [min, max], both inclusive. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }

  /** Picks by weight; weights need not sum to 1. */
  weighted<T>(entries: ReadonlyArray<readonly [T, number]>): T {
    let total = 0;
    for (const [, w] of entries) total += w;
    let roll = this.next() * total;
    for (const [value, w] of entries) {
      roll -= w;
      if (roll < 0) return value;
    }
    return entries[entries.length - 1][0];
  }

  /** k distinct items in a seeded order. */
  sample<T>(items: readonly T[], k: number): T[] {
    const copy = items.slice();
    const n = Math.min(k, copy.length);
    for (let i = 0; i < n; i++) {
      const j = i + Math.floor(this.next() * (copy.length - i));
      [copy[i], copy[j]] = [copy[j], copy[i]];
    }
    return copy.slice(0, n);
  }

  /** Eight hex digits per draw: container IDs are 64 digits and pods have many of them. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += hex8((this.next() * 4294967296) >>> 0);
    return out.slice(0, length);
  }

  /** Suffix like the ones generateName and ReplicaSet pod names carry ("x7k2p"). */
  suffix(length = 5): string {
    let out = '';
    for (let i = 0; i < length; i++) out += ALNUM[Math.floor(this.next() * ALNUM.length)];
    return out;
  }

  digits(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += String(Math.floor(this.next() * 10));
    return out;
  }
}
