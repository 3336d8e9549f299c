import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import type { KubeObject } from './contract';
import { fleetMix } from './index';
import { generateFleet } from './generation.test-helper';

// Every field we emit for built-in kinds must exist, with the right JSON type, in the Kubernetes 1.35
// OpenAPI documents (../shared/oracles/openapi-v3): catches misspelled or invented field names.
const OPENAPI = resolve(__dirname, '../../../../../../shared/oracles/openapi-v3/1.35');
const DOCUMENTS: Record<string, string> = {
  v1: 'api/v1.json',
  'apps/v1': 'apis/apps/v1.json',
  'rbac.authorization.k8s.io/v1': 'apis/rbac.authorization.k8s.io/v1.json',
  'networking.k8s.io/v1': 'apis/networking.k8s.io/v1.json',
};

type Schema = Record<string, any>;

function load(apiVersion: string): { schemas: Record<string, Schema>; byKind: Map<string, Schema> } {
  const doc = JSON.parse(readFileSync(join(OPENAPI, DOCUMENTS[apiVersion]), 'utf8')) as { components: { schemas: Record<string, Schema> } };
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const byKind = new Map<string, Schema>();
  for (const schema of Object.values(doc.components.schemas)) {
    for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) if (gvk.group === group && gvk.version === version) byKind.set(gvk.kind, schema);
  }
  return { schemas: doc.components.schemas, byKind };
}

function resolveRef(schemas: Record<string, Schema>, schema: Schema): Schema {
  let s = schema;
  while (true) {
    if (s.$ref) s = schemas[(s.$ref as string).replace('#/components/schemas/', '')];
    else if (s.allOf?.length === 1) s = s.allOf[0];
    else return s;
  }
}

function check(schemas: Record<string, Schema>, schema: Schema, value: unknown, path: string, errors: string[]): void {
  const s = resolveRef(schemas, schema);
  if (value === null) return;
  if (s.format === 'int-or-string' || s['x-kubernetes-int-or-string']) {
    if (typeof value !== 'string' && typeof value !== 'number') errors.push(`${path}: int-or-string expected`);
    return;
  }
  if (Array.isArray(value)) {
    if (s.type !== 'array') errors.push(`${path}: array not allowed (${s.type})`);
    else value.forEach((v, i) => check(schemas, s.items, v, `${path}[${i}]`, errors));
    return;
  }
  if (typeof value === 'object') {
    if (s.type !== 'object' && !s.properties && !s.additionalProperties) {
      errors.push(`${path}: object not allowed (${s.type ?? 'no type'})`);
      return;
    }
    for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
      const sub = s.properties?.[key] ?? (s.additionalProperties && typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
      if (!sub) errors.push(`${path}.${key}: unknown field`);
      else check(schemas, sub, v, `${path}.${key}`, errors);
    }
    return;
  }
  const type = typeof value === 'number' ? (Number.isInteger(value) ? ['integer', 'number'] : ['number']) : [typeof value];
  if (s.type && !type.includes(s.type)) errors.push(`${path}: ${typeof value} where ${s.type} expected`);
}

test('generated built-in objects use only fields the Kubernetes 1.35 OpenAPI defines', () => {
  const docs = new Map(Object.keys(DOCUMENTS).map((v) => [v, load(v)]));
  const errors = new Set<string>();
  const checkedKinds = new Set<string>();
  const seen = new Set<string>();
  for (const g of generateFleet(fleetMix(25, 1), 1)) {
    for (const o of g.objects as KubeObject[]) {
      const doc = docs.get(o.apiVersion);
      if (!doc) continue;
      const schema = doc.byKind.get(o.kind);
      assert.ok(schema, `${o.apiVersion} ${o.kind} has a schema`);
      // One object per (kind, namespace, first name segment) is plenty and keeps the test fast.
      const key = `${o.kind}/${o.metadata.namespace}/${o.metadata.name.split('-')[0]}/${g.spec.flavor}`;
      if (seen.has(key)) continue;
      seen.add(key);
      checkedKinds.add(o.kind);
      const found: string[] = [];
      check(doc.schemas, schema, o, o.kind, found);
      for (const e of found) errors.add(e.replace(/\[\d+\]/g, '[]'));
    }
  }
  assert.deepEqual([...errors].sort(), []);
  for (const kind of ['Pod', 'Node', 'Namespace', 'Service', 'Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ClusterRole', 'RoleBinding', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'ConfigMap', 'ServiceAccount']) {
    assert.ok(checkedKinds.has(kind), kind);
  }
});
