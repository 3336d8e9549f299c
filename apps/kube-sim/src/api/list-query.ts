/**
 * A list request's selection and paging. Continue tokens carry the list's resourceVersion and the
 * last key returned; pages reflect the current state (an approximation of etcd snapshots), and a
 * token older than the cluster's compaction point is refused with 410 Expired.
 */
import type { ClusterRecord } from '../fleet/cluster-record';
import type { StoredObject } from '../store/object-store';
import { errors } from '../http/api-error';
import { type FieldMatcher, fieldMatcher } from './field-selector';
import { type LabelMatcher, labelMatcher } from './label-selector';

interface ContinueToken {
  rv: number;
  ns: string;
  name: string;
}

export interface ListPage {
  items: StoredObject[];
  continueToken?: string;
  remaining?: number;
}

export interface Selection {
  labels?: LabelMatcher;
  fields?: FieldMatcher;
}

export function selectionFrom(query: URLSearchParams, storeKey: string): Selection {
  return { labels: labelMatcher(query.get('labelSelector')), fields: fieldMatcher(query.get('fieldSelector'), storeKey) };
}

export function selects(sel: Selection, stored: StoredObject): boolean {
  if (sel.labels && !sel.labels(stored.obj.metadata.labels)) return false;
  if (sel.fields && !sel.fields(stored.obj)) return false;
  return true;
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (typeof t.rv === 'number' && typeof t.ns === 'string' && typeof t.name === 'string') return t;
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

function after(s: StoredObject, ns: string, name: string): boolean {
  const sns = s.obj.metadata.namespace ?? '';
  return sns > ns || (sns === ns && s.obj.metadata.name > name);
}

export function page(record: ClusterRecord, all: StoredObject[], sel: Selection, query: URLSearchParams, currentRv: number): ListPage {
  const limitParam = query.get('limit');
  const limit = limitParam ? Number.parseInt(limitParam, 10) : 0;
  const cont = query.get('continue');
  let start = 0;
  let rv = currentRv;
  if (cont) {
    const t = decodeContinue(cont);
    if (t.rv <= record.continueFloor) {
      throw errors.resourceExpired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retry with the inconsistent list.');
    }
    rv = t.rv;
    let lo = 0;
    let hi = all.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (after(all[mid], t.ns, t.name)) hi = mid;
      else lo = mid + 1;
    }
    start = lo;
  }
  const filtered = sel.labels !== undefined || sel.fields !== undefined;
  if (!(limit > 0)) {
    if (!filtered && start === 0) return { items: all };
    const items: StoredObject[] = [];
    for (let i = start; i < all.length; i++) if (selects(sel, all[i])) items.push(all[i]);
    return { items };
  }
  const items: StoredObject[] = [];
  let i = start;
  for (; i < all.length && items.length < limit; i++) if (selects(sel, all[i])) items.push(all[i]);
  // Is there anything left that matches? (upstream answers with a token whenever more may follow)
  let more = false;
  for (let j = i; j < all.length; j++) {
    if (selects(sel, all[j])) {
      more = true;
      break;
    }
  }
  if (!more) return { items };
  const last = items[items.length - 1].obj.metadata;
  const token = Buffer.from(JSON.stringify({ rv, ns: last.namespace ?? '', name: last.name })).toString('base64url');
  return { items, continueToken: token, remaining: filtered ? undefined : all.length - i };
}
