/** What the server keeps per simulated cluster; everything but `store` is small. */
import type { ClusterSpec, DeprecatedApiUse, VersionInfo } from '../content/contract';
import type { ClusterFaults } from '../faults/cluster-faults';
import type { ObjectStore } from '../store/object-store';

export interface ClusterRecord {
  spec: ClusterSpec;
  /** Set once the generator resolved defaults (version, nodes, seed). */
  resolved: boolean;
  faults: ClusterFaults;
  /** Materialised objects; undefined until first needed or after eviction of an unwritten cluster. */
  store?: ObjectStore;
  /** Written through the API or by a controller: never evicted (its state cannot be regenerated). */
  dirty: boolean;
  versionInfo?: VersionInfo;
  deprecatedApiUse?: DeprecatedApiUse[];
  nodeCount?: number;
  /** Shifts the cluster's clock for token expiry (tests make tokens expire without waiting). */
  clockOffsetMs: number;
  /** Continue tokens issued at or below this resourceVersion are expired (410). */
  continueFloor: number;
  /** Per-step delay of rollouts this (management) cluster drives. */
  rolloutStepMs?: number;
  /** Deprecated APIs actually requested (group/version/resource/subresource/removed). */
  requestedDeprecated: Set<string>;
  requestCount: Map<string, number>;
}

export function newRecord(spec: ClusterSpec): ClusterRecord {
  return { spec, resolved: false, faults: {}, dirty: false, clockOffsetMs: 0, continueFloor: 0, requestedDeprecated: new Set(), requestCount: new Map() };
}
