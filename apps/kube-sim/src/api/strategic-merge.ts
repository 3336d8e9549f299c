/**
 * JSON merge patch (RFC 7386) and Kubernetes strategic merge patch. The strategic variant knows the
 * merge keys of the built-in types by field name (containers by name, ports by containerPort or
 * port, env by name, …) and the directives kubectl sends ($patch, $retainKeys,
 * $deleteFromPrimitiveList, $setElementOrder).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type JsonObject = { [k: string]: Json };

export function isPlainObject(v: unknown): v is JsonObject {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const out: JsonObject = isPlainObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v) as Json;
  }
  return out;
}

const MERGE_KEYS: Record<string, string | ((items: JsonObject[]) => string)> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  imagePullSecrets: 'name',
  resourceClaims: 'name',
  hostAliases: 'ip',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: (items) => (items.some((i) => i.containerPort !== undefined) ? 'containerPort' : 'port'),
  conditions: 'type',
  ownerReferences: 'uid',
  taints: 'key',
  topologySpreadConstraints: 'topologyKey',
  readinessGates: 'conditionType',
  addresses: 'type',
};

/** Primitive lists whose strategy is merge (union) rather than replace. */
const MERGE_PRIMITIVE_LISTS = new Set(['finalizers']);

const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';

export function strategicMerge(original: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _p, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (directive === 'delete') return undefined;
  const out: JsonObject = isPlainObject(original) ? { ...original } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = k.slice(DELETE_FROM_PRIMITIVE.length);
      const drop = new Set((Array.isArray(v) ? v : []).map((x) => JSON.stringify(x)));
      const cur = out[field];
      if (Array.isArray(cur)) out[field] = cur.filter((x) => !drop.has(JSON.stringify(x)));
      continue;
    }
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(k, out[k], v);
    } else if (isPlainObject(v)) {
      const merged = strategicMerge(out[k], v);
      if (merged === undefined) delete out[k];
      else out[k] = merged as Json;
    } else {
      out[k] = v;
    }
  }
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const key of Object.keys(out)) if (!retain.includes(key) && !(key in patch)) delete out[key];
  }
  return out;
}

function mergeList(field: string, original: Json | undefined, patch: Json[]): Json[] {
  if (patch.some((e) => isPlainObject(e) && e.$patch === 'replace')) {
    return patch.filter((e) => !(isPlainObject(e) && e.$patch === 'replace')).map(stripDirectives);
  }
  const orig = Array.isArray(original) ? original : [];
  if (MERGE_PRIMITIVE_LISTS.has(field)) {
    const out = [...orig];
    for (const e of patch) if (!out.some((x) => JSON.stringify(x) === JSON.stringify(e))) out.push(e);
    return out;
  }
  const objects = patch.filter(isPlainObject);
  const keySpec = MERGE_KEYS[field];
  if (!keySpec || objects.length !== patch.length) return patch.map(stripDirectives);
  const key = typeof keySpec === 'function' ? keySpec([...objects, ...orig.filter(isPlainObject)]) : keySpec;
  const out: Json[] = [...orig];
  for (const e of objects) {
    const idx = out.findIndex((x) => isPlainObject(x) && x[key] !== undefined && JSON.stringify(x[key]) === JSON.stringify(e[key]));
    if (e.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], e) as Json;
    else out.push(stripDirectives(e));
  }
  return out;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isPlainObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === '$patch' || k === '$retainKeys' || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE)) continue;
    out[k] = stripDirectives(x);
  }
  return out;
}
