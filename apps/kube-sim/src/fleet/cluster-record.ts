/** What the server keeps per simulated cluster; everything but `store` is small. */
import type { ClusterSpec, DeprecatedApiUse, KubeObject, VersionInfo } from '../content/contract';
import type { ClusterFaults } from '../faults/cluster-faults';
import type { ObjectStore } from '../store/object-store';
import type { ListSegment } from '../store/list-segment';

export interface ClusterRecord {
  spec: ClusterSpec;
  /** Set once the generator resolved defaults (version, nodes, seed). */
  resolved: boolean;
  faults: ClusterFaults;
  /** Materialised objects; undefined until first needed or after eviction of an unwritten cluster. */
  store?: ObjectStore;
  /** Written through the API or by a controller since it was added. */
  dirty: boolean;
  /**
   * Every object written since generation (null = deleted), keyed by storeKey/namespace/name. The
   * generated base plus this overlay is the cluster's state, so even a written cluster can be
   * evicted and rebuilt; only the overlay stays resident.
   */
  overlay: Map<string, OverlayEntry>;
  /**
   * Serialised, gzip-compressed list bodies by storeKey/namespace (see store/list-segment.ts). The
   * all-namespaces ones double as the cluster's compact form: when `snapshotComplete`, an evicted
   * cluster is rebuilt from them (kinds decoded on first touch) instead of regenerated.
   */
  lists: Map<string, ListSegment>;
  listBytes: number;
  snapshotComplete: boolean;
  /** The cluster's resourceVersion counter, kept across evictions. */
  rv: number;
  /** Something holds this cluster's store (open watches, a terminating namespace): not evicted. */
  pins: number;
  versionInfo?: VersionInfo;
  deprecatedApiUse?: DeprecatedApiUse[];
  nodeCount?: number;
  /** Shifts the cluster's clock for token expiry (tests make tokens expire without waiting). */
  clockOffsetMs: number;
  /** Continue tokens issued at or below this resourceVersion are expired (410). */
  continueFloor: number;
  /** The management cluster whose Cluster API provisioning created this cluster (its Cluster's deletion removes it). */
  provisionedBy?: string;
  /** Per-step delay of rollouts this (management) cluster drives. */
  rolloutStepMs?: number;
  /** Deprecated APIs actually requested (group/version/resource/subresource/removed). */
  requestedDeprecated: Set<string>;
  requestCount: Map<string, number>;
  /** Requests per client (the product of its User-Agent, e.g. flotilla-worker): which process dialled this cluster. */
  clientCount: Map<string, number>;
}

export interface OverlayEntry {
  storeKey: string;
  namespace: string;
  name: string;
  obj: KubeObject | null;
}

export function newRecord(spec: ClusterSpec): ClusterRecord {
  return { spec, resolved: false, faults: {}, dirty: false, overlay: new Map(), lists: new Map(), listBytes: 0, snapshotComplete: false, rv: 0, pins: 0, clockOffsetMs: 0, continueFloor: 0, requestedDeprecated: new Set(), requestCount: new Map(), clientCount: new Map() };
}
