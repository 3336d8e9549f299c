/** Field selectors: `=`, `==` and `!=` on dotted paths (metadata.name, spec.nodeName, status.phase, …). */
import type { KubeObject } from '../content/contract';
import { errors } from '../http/api-error';

export type FieldMatcher = (obj: KubeObject) => boolean;

/** Fields each kind supports beyond metadata.name and metadata.namespace (others are refused, as upstream does). */
const SUPPORTED: Record<string, string[]> = {
  '/pods': ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'],
  '/nodes': ['spec.unschedulable'],
  '/namespaces': ['status.phase'],
  '/secrets': ['type'],
  '/events': ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'],
  'batch/jobs': ['status.successful'],
};

function valueAt(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur === undefined || cur === null ? '' : String(cur);
}

export function fieldMatcher(selector: string | null, storeKey: string): FieldMatcher | undefined {
  if (!selector) return undefined;
  const reqs: Array<{ path: string; neq: boolean; value: string }> = [];
  for (const term of selector.split(',').map((t) => t.trim()).filter((t) => t !== '')) {
    const m = /^([^=!\s]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw errors.badRequest(`invalid selector: '${selector}'; can't understand '${term}'`);
    const path = m[1];
    if (path !== 'metadata.name' && path !== 'metadata.namespace' && !(SUPPORTED[storeKey] ?? []).includes(path)) {
      throw errors.badRequest(`field label not supported: ${path}`);
    }
    reqs.push({ path, neq: m[2] === '!=', value: m[3] });
  }
  if (reqs.length === 0) return undefined;
  return (obj) => reqs.every((r) => (valueAt(obj, r.path) === r.value) !== r.neq);
}
