import { resourceForKind, splitApiVersion } from './api-resource-name';
import { compareMinors, parseKubeMinor } from './kube-version';
import type { DeprecatedApiInUse, RemovedApi } from './removed-api.model';
import { REMOVED_APIS } from './removed-apis.data';

let byResource: Map<string, RemovedApi> | undefined;
let byKind: Map<string, RemovedApi> | undefined;
let frozen: RemovedApi[] | undefined;

/** The merged removal table (upstream lifecycle first, Pluto fills gaps); built once, frozen. */
export function removedApiTable(): RemovedApi[] {
  frozen ??= Object.freeze(REMOVED_APIS.map((r) => Object.freeze({ ...r }))) as RemovedApi[];
  return frozen;
}

function lookupByResource(group: string, version: string, resource: string): RemovedApi | undefined {
  byResource ??= new Map(removedApiTable().map((r) => [`${r.group}|${r.version}|${r.resource}`, r]));
  return byResource.get(`${group}|${version}|${resource}`);
}

function lookupByKind(group: string, version: string, kind: string): RemovedApi | undefined {
  byKind ??= new Map(removedApiTable().map((r) => [`${r.group}|${r.version}|${r.kind}`, r]));
  return byKind.get(`${group}|${version}|${kind}`);
}

/**
 * Whether a target release no longer serves an API removed in `removedIn`. kube-apiserver stops serving
 * it in the GA release of that minor (k8s.io/apiserver deleted_kinds.go), so a target counts from the
 * minor on. Release candidates of that minor still serve it, but they are judged like the GA release:
 * the operator is heading there.
 */
function removedAt(removedIn: string, target: { major: number; minor: number }): boolean {
  return compareMinors(target, parseKubeMinor(removedIn)) >= 0;
}

/**
 * The APIs in use that `targetVersion` removes, judged from the committed oracle table (the metric's own
 * removed_release label only when the table has no row, e.g. for an API newer than the oracles). When
 * `currentVersion` is given, APIs already removed at or before it are not reported (they are not served,
 * so the metric cannot report them; this guards hand-written input). One entry per API (subresources
 * collapse), ordered by removal release, then apiVersion and resource.
 */
export function apisRemovedBy(targetVersion: string, inUse: DeprecatedApiInUse[], currentVersion?: string): RemovedApi[] {
  const target = parseKubeMinor(targetVersion);
  const current = currentVersion === undefined ? undefined : parseKubeMinor(currentVersion);
  const out = new Map<string, RemovedApi>();
  for (const api of inUse) {
    const known = lookupByResource(api.group, api.version, api.resource);
    const entry: RemovedApi | undefined =
      known ??
      (api.removedRelease && /^v?\d+\.\d+/.test(api.removedRelease)
        ? { group: api.group, version: api.version, resource: api.resource, kind: '', removedIn: api.removedRelease.replace(/^v/, ''), source: 'apiserver' }
        : undefined);
    if (!entry || !removedAt(entry.removedIn, target)) continue;
    if (current && removedAt(entry.removedIn, current)) continue;
    out.set(`${entry.group}|${entry.version}|${entry.resource}`, entry);
  }
  return [...out.values()].sort(
    (a, b) => compareMinors(parseKubeMinor(a.removedIn), parseKubeMinor(b.removedIn)) || a.group.localeCompare(b.group) || a.version.localeCompare(b.version) || a.resource.localeCompare(b.resource),
  );
}

/** A manifest or live object, as far as the removal judgement needs it. */
export interface ObjectRef {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string; annotations?: Record<string, string> };
}

export interface RemovedObject {
  name: string;
  namespace?: string;
  kind: string;
  /** The apiVersion the object was written in (from a last-applied annotation when the server converted it). */
  apiVersion: string;
  removedIn: string;
  replacement?: string;
}

// The API server converts stored objects to the version asked for; the version the owner wrote is only
// kept in these annotations (kube-no-trouble reads the same two).
const ORIGINAL_MANIFEST_ANNOTATIONS = ['kubectl.kubernetes.io/last-applied-configuration', 'kapp.k14s.io/original'];

/** Objects whose written apiVersion `targetVersion` removes, in input order. */
export function objectsRemovedBy(targetVersion: string, objects: ObjectRef[]): RemovedObject[] {
  const target = parseKubeMinor(targetVersion);
  const out: RemovedObject[] = [];
  for (const obj of objects) {
    const apiVersion = writtenApiVersion(obj);
    const { group, version } = splitApiVersion(apiVersion);
    const row = lookupByKind(group, version, obj.kind) ?? lookupByResource(group, version, resourceForKind(obj.kind));
    if (!row || !removedAt(row.removedIn, target)) continue;
    const hit: RemovedObject = { name: obj.metadata?.name ?? '', kind: obj.kind, apiVersion, removedIn: row.removedIn };
    if (obj.metadata?.namespace) hit.namespace = obj.metadata.namespace;
    if (row.replacement) hit.replacement = row.replacement;
    out.push(hit);
  }
  return out;
}

function writtenApiVersion(obj: ObjectRef): string {
  for (const key of ORIGINAL_MANIFEST_ANNOTATIONS) {
    const text = obj.metadata?.annotations?.[key];
    if (!text) continue;
    try {
      const original = JSON.parse(text) as { apiVersion?: unknown; kind?: unknown };
      if (typeof original.apiVersion === 'string' && original.kind === obj.kind) return original.apiVersion;
    } catch {
      // A hand-edited annotation is not JSON: fall back to the served version.
    }
  }
  return obj.apiVersion;
}
