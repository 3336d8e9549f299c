/**
 * /openapi/v3 (index and group-version documents) and /openapi/v2. The group-version documents are
 * the real Kubernetes 1.35 ones where we have them (../shared/oracles/openapi-v3); other served
 * group-versions get a small synthesised document so kubectl finds every kind it validates.
 * Index URLs carry the cluster prefix because clients resolve them against the server root.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ResourceCatalog } from './resource-catalog';
import { type ResourceType, groupVersion } from './resource-type';

function oracleDir(): string | undefined {
  const candidates = [process.env.KUBE_SIM_OPENAPI_DIR, process.env.FLOTILLA_SHARED_DIR && join(process.env.FLOTILLA_SHARED_DIR, 'oracles', 'openapi-v3', '1.35')];
  let dir = __dirname;
  for (let i = 0; i < 8; i++) {
    candidates.push(join(dir, '..', 'shared', 'oracles', 'openapi-v3', '1.35'));
    dir = resolve(dir, '..');
  }
  return candidates.find((c): c is string => !!c && existsSync(c));
}

interface Doc {
  json: string;
  hash: string;
}

export class OpenApiHandler {
  private readonly docs = new Map<string, Doc>();
  private readonly dir = oracleDir();
  private epoch = -1;

  constructor(private readonly catalog: ResourceCatalog) {}

  /** "api/v1", "apis/apps/v1", … served to a cluster. */
  private keys(management: boolean): string[] {
    const out = new Set<string>();
    for (const t of this.catalog.served(management)) out.add(t.group === '' ? `api/${t.version}` : `apis/${t.group}/${t.version}`);
    return [...out];
  }

  index(management: boolean, prefix: string): string {
    const paths: Record<string, { serverRelativeURL: string }> = {};
    for (const key of this.keys(management)) {
      const doc = this.doc(key);
      if (doc) paths[key] = { serverRelativeURL: `${prefix}/openapi/v3/${key}?hash=${doc.hash}` };
    }
    return JSON.stringify({ paths });
  }

  document(key: string, management: boolean): string | undefined {
    if (!this.keys(management).includes(key)) return undefined;
    return this.doc(key)?.json;
  }

  private doc(key: string): Doc | undefined {
    if (this.epoch !== this.catalog.epoch) {
      // Synthesised documents depend on the catalogue; oracle documents never change.
      for (const [k, d] of this.docs) if (!d.hash.startsWith('O')) this.docs.delete(k);
      this.epoch = this.catalog.epoch;
    }
    let d = this.docs.get(key);
    if (d) return d;
    const file = this.dir ? join(this.dir, `${key}.json`) : undefined;
    if (file && existsSync(file)) {
      const json = readFileSync(file, 'utf8');
      d = { json, hash: `O${createHash('sha512').update(json).digest('hex').slice(0, 63).toUpperCase()}` };
    } else {
      const parts = key.split('/');
      const [group, version] = parts[0] === 'api' ? ['', parts[1]] : [parts[1], parts[2]];
      const types = this.catalog.served(true).filter((t) => t.group === group && t.version === version);
      if (types.length === 0) return undefined;
      const json = JSON.stringify(synthesize(group, version, types));
      d = { json, hash: createHash('sha512').update(json).digest('hex').slice(0, 64).toUpperCase() };
    }
    this.docs.set(key, d);
    return d;
  }
}

/** A permissive OpenAPI v3 document: every kind, its paths with the fieldValidation parameter. */
function synthesize(group: string, version: string, types: ResourceType[]): object {
  const gv = groupVersion(group, version);
  const prefix = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  const schemaName = (kind: string) => `${(group || 'core').split('.').reverse().join('.')}.${version}.${kind}`;
  const schemas: Record<string, object> = {};
  const paths: Record<string, object> = {};
  const fieldValidation = { name: 'fieldValidation', in: 'query', description: 'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.', schema: { type: 'string', uniqueItems: true } };
  for (const t of types) {
    const gvk = [{ group, version, kind: t.kind }];
    schemas[schemaName(t.kind)] = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, 'x-kubernetes-group-version-kind': gvk, properties: { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } };
    const ref = { $ref: `#/components/schemas/${schemaName(t.kind)}` };
    const body = { content: { '*/*': { schema: ref } }, required: true };
    const ok = { '200': { description: 'OK', content: { 'application/json': { schema: ref } } } };
    const op = (id: string, withBody: boolean) => ({ operationId: `${id}${t.kind}`, parameters: withBody ? [fieldValidation] : [], ...(withBody ? { requestBody: body } : {}), responses: ok, 'x-kubernetes-action': id, 'x-kubernetes-group-version-kind': gvk[0] });
    const coll = t.namespaced ? `${prefix}/namespaces/{namespace}/${t.resource}` : `${prefix}/${t.resource}`;
    paths[coll] = { get: op('list', false), post: op('create', true) };
    if (!t.virtual) paths[`${coll}/{name}`] = { get: op('read', false), put: op('replace', true), patch: op('patch', true), delete: op('delete', false) };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'unversioned' }, paths, components: { schemas }, 'x-kube-sim-synthesized': gv };
}
