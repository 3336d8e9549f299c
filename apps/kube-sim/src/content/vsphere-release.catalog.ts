/**
 * The Tanzu Kubernetes releases (TKRs) a simulated Supervisor offers. VMware ships a few patches per
 * minor, so the fleet's vSphere clusters pick their versions from this list: every cluster's own
 * version is offered, older patches have a newer patch to move to, and 1.32/1.33 give next-minor
 * targets (1.29 → 1.31 is the skipped-minor target a pre-flight must refuse).
 */
import { parseKubeVersion } from './kube-version';

export interface VsphereRelease {
  minor: number;
  patch: number;
  /** "+vmware.N" build. */
  vmware: number;
}

export const VSPHERE_RELEASES: readonly VsphereRelease[] = [
  { minor: 28, patch: 8, vmware: 1 },
  { minor: 28, patch: 11, vmware: 2 },
  { minor: 29, patch: 4, vmware: 3 },
  { minor: 29, patch: 7, vmware: 1 },
  { minor: 29, patch: 10, vmware: 1 },
  { minor: 30, patch: 1, vmware: 1 },
  { minor: 30, patch: 4, vmware: 1 },
  { minor: 30, patch: 8, vmware: 1 },
  { minor: 31, patch: 1, vmware: 1 },
  { minor: 31, patch: 4, vmware: 1 },
  { minor: 32, patch: 0, vmware: 1 },
  { minor: 32, patch: 3, vmware: 1 },
  { minor: 33, patch: 1, vmware: 1 },
];

/** Minors vSphere workload clusters run today (the TKRs above offer two more). */
export const VSPHERE_FLEET_MINORS: readonly number[] = [29, 30, 31];

export function vsphereVersion(r: VsphereRelease): string {
  return `v1.${r.minor}.${r.patch}+vmware.${r.vmware}`;
}

/** "v1.30.4+vmware.1" → "v1.30.4---vmware.1-tkg.1" (TKR names cannot hold "+"). */
export function tkrNameFor(version: string): string {
  const v = parseKubeVersion(version);
  const build = /^\+vmware\.(\d+)/.exec(v.suffix)?.[1] ?? '1';
  return `v${v.major}.${v.minor}.${v.patch}---vmware.${build}-tkg.1`;
}

/** "v1.30.4+vmware.1" → "v1.30.4+vmware.1-tkg.1" (a TKR's spec.version). */
export function tkrVersionFor(version: string): string {
  const v = parseKubeVersion(version);
  const build = /^\+vmware\.(\d+)/.exec(v.suffix)?.[1] ?? '1';
  return `v${v.major}.${v.minor}.${v.patch}+vmware.${build}-tkg.1`;
}

/** Normalizes any version to the vSphere spelling, for clusters added with a plain version. */
export function asVsphereVersion(version: string): string {
  const v = parseKubeVersion(version);
  const build = /^\+vmware\.(\d+)/.exec(v.suffix)?.[1] ?? '1';
  return `v${v.major}.${v.minor}.${v.patch}+vmware.${build}`;
}
