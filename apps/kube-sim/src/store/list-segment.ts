/**
 * A kind's items in one namespace (or all of them), serialised once and kept gzip-compressed: the
 * body of every unfiltered list of that kind until a write to the kind, and, for all namespaces,
 * the compact form a cluster is rebuilt from after eviction (no regeneration). The list's envelope
 * (kind, apiVersion, the cluster's current resourceVersion) is written around it per request, so a
 * write to another kind moves the list's resourceVersion without invalidating the items. A gzip
 * stream may hold several members, so a gzip answer is envelope member + cached member + suffix.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import type { KubeObject } from '../content/contract';
import type { StoredObject } from './object-store';

export interface ListSegment {
  /** One gzip member: the items' JSON joined by commas, without brackets. */
  readonly gz: Buffer;
  readonly rawBytes: number;
  readonly count: number;
  /** The apiVersion every item is stored in, or null when they differ (served re-versioned, not from here). */
  readonly apiVersion: string | null;
  /** The decoded items, while the raw-body budget keeps them. */
  raw?: Buffer;
}

/** Same level as kube-apiserver's gzip content encoding: least CPU, ratios close to higher levels. */
export const GZIP_LEVEL = 1;

export function segmentKey(storeKey: string, namespace: string): string {
  return `${storeKey}\u0000${namespace}`;
}

export function buildSegment(items: readonly StoredObject[]): ListSegment {
  const parts = new Array<string>(items.length);
  let apiVersion: string | null = items.length > 0 ? items[0].obj.apiVersion : '';
  for (let i = 0; i < items.length; i++) {
    const s = items[i];
    parts[i] = s.json ??= JSON.stringify(s.obj);
    if (s.obj.apiVersion !== apiVersion) apiVersion = null;
  }
  const raw = Buffer.from(parts.join(','));
  // Decoded bytes come along; the registry decides whether its budget keeps them.
  return { gz: compact(gzipSync(raw, { level: GZIP_LEVEL })), rawBytes: raw.length, count: items.length, apiVersion, raw };
}

/**
 * zlib's output is a view of its (16 KiB or larger) chunk buffer: kept as is, a 300-byte segment
 * would hold the whole chunk. Thousands of clusters × dozens of segments make that the memory bill.
 */
function compact(buf: Buffer): Buffer {
  return buf.buffer.byteLength > buf.length ? Buffer.from(buf) : buf;
}

export function segmentRaw(seg: ListSegment): Buffer {
  return seg.raw ?? gunzipSync(seg.gz);
}

/** The segment's objects, for rebuilding a store. */
export function segmentObjects(seg: ListSegment): KubeObject[] {
  if (seg.count === 0) return [];
  return JSON.parse(`[${segmentRaw(seg).toString('utf8')}]`) as KubeObject[];
}
