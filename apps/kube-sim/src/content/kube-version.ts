/**
 * Kubernetes versions as each provider spells them, and the build facts /version reports.
 * The simulated "now" is FLEET_EPOCH (mid-2025): 1.33 is the newest minor, so fleets sit on 1.29–1.33.
 */
import type { Flavor, VersionInfo } from './contract';
import { SeededRandom, hash32 } from './seeded-random';

/** Every timestamp derives from this fixed instant (never the clock). */
export const FLEET_EPOCH_MS = Date.UTC(2025, 5, 1, 0, 0, 0);

export interface KubeVersion {
  major: number;
  minor: number;
  patch: number;
  /** Everything after "vMAJOR.MINOR.PATCH", e.g. "+vmware.1", "-eks-7f9249a", "-gke.1014001". */
  suffix: string;
}

export function parseKubeVersion(version: string): KubeVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(.*)$/.exec(version);
  if (!m) throw new Error(`not a Kubernetes version: "${version}"`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), suffix: m[4] };
}

/** "1.30" — the form lifecycle data and TKR compatibility use. */
export function minorOf(version: string): string {
  const v = parseKubeVersion(version);
  return `${v.major}.${v.minor}`;
}

/** Newest upstream patch of each minor at FLEET_EPOCH. */
export const LATEST_PATCH: Readonly<Record<number, number>> = { 28: 15, 29: 15, 30: 13, 31: 9, 32: 5, 33: 1 };

/** Upstream release day of each minor (patches follow roughly monthly). */
const MINOR_RELEASED: Readonly<Record<number, [number, number, number]>> = {
  28: [2023, 7, 15],
  29: [2023, 11, 13],
  30: [2024, 3, 17],
  31: [2024, 7, 13],
  32: [2024, 11, 11],
  33: [2025, 3, 23],
};

/** Go toolchain each minor was built with (upstream's go.mod / release notes). */
const GO_MINOR: Readonly<Record<number, [string, number]>> = {
  28: ['go1.20', 10],
  29: ['go1.21', 5],
  30: ['go1.22', 2],
  31: ['go1.22', 5],
  32: ['go1.23', 3],
  33: ['go1.24', 2],
};

/** Writes a version the way the flavor's provider reports it. */
export function formatVersion(flavor: Flavor, minor: number, patch: number, rng: SeededRandom): string {
  const base = `v1.${minor}.${patch}`;
  switch (flavor) {
    case 'vsphere':
    case 'management':
      return `${base}+vmware.${rng.int(1, 2)}`;
    case 'eks':
      return `${base}-eks-${rng.hex(7)}`;
    case 'gke':
      return `${base}-gke.${rng.int(1000, 1999)}${rng.pick(['000', '001', '002', '500'])}`;
    case 'aks':
    case 'generic':
      return base;
  }
}

export const DEFAULT_VERSION: Readonly<Record<Flavor, string>> = {
  vsphere: 'v1.30.4+vmware.1',
  management: 'v1.30.4+vmware.1',
  eks: 'v1.31.2-eks-7f9249a',
  gke: 'v1.30.5-gke.1014001',
  aks: 'v1.30.4',
  generic: 'v1.31.1',
};

/** Approximate upstream release instant of a patch (minor release day + 30 days per patch). */
export function releaseDateMs(minor: number, patch: number): number {
  const released = MINOR_RELEASED[minor] ?? [2024, 0, 1];
  return Date.UTC(released[0], released[1], released[2]) + patch * 30 * 86_400_000;
}

const DAY_MS = 86_400_000;
const dayPrefixes = new Map<number, string>();

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** RFC 3339 at whole seconds, as the API server writes times. Date formatting is cached per day: pods have many timestamps. */
function isoSeconds(ms: number): string {
  const whole = Math.floor(ms / 1000) * 1000;
  const day = Math.floor(whole / DAY_MS);
  let prefix = dayPrefixes.get(day);
  if (prefix === undefined) {
    prefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    dayPrefixes.set(day, prefix);
  }
  const secondOfDay = (whole - day * DAY_MS) / 1000;
  return `${prefix}${two(Math.floor(secondOfDay / 3600))}:${two(Math.floor(secondOfDay / 60) % 60)}:${two(secondOfDay % 60)}Z`;
}

export function timestampAt(ms: number): string {
  return isoSeconds(ms);
}

/** The body of GET /version, consistent with the version string (and the same for the same version). */
export function versionInfoFor(version: string): VersionInfo {
  const v = parseKubeVersion(version);
  const day = 86_400_000;
  const h = hash32(version);
  const buildMs = releaseDateMs(v.minor, v.patch) + (h % 86_400) * 1000;
  const [goBase, goPatch] = GO_MINOR[v.minor] ?? ['go1.22', 0];
  const gitCommit = (hash32(version, 1).toString(16).padStart(8, '0') + hash32(version, 2).toString(16).padStart(8, '0') +
    hash32(version, 3).toString(16).padStart(8, '0') + hash32(version, 4).toString(16).padStart(8, '0') +
    hash32(version, 5).toString(16).padStart(8, '0')).slice(0, 40);
  return {
    major: String(v.major),
    // EKS and GKE report "30+" here: their builds carry local patches on top of upstream.
    minor: /-eks-|-gke\./.test(v.suffix) ? `${v.minor}+` : String(v.minor),
    gitVersion: version,
    gitCommit,
    gitTreeState: 'clean',
    buildDate: isoSeconds(Math.min(buildMs, FLEET_EPOCH_MS - day)),
    goVersion: `${goBase}.${goPatch + Math.min(v.patch, 8)}`,
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}
