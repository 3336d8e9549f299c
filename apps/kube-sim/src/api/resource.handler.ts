/** get, list, create, update, delete and deletecollection on stored resources, plus their subresources. */
import type { KubeObject } from '../content/contract';
import { groupVersion } from '../catalog/resource-type';
import { errors } from '../http/api-error';
import { readBody, readJson, sendJson, sendRaw } from '../http/http-io';
import type { FleetRegistry } from '../fleet/fleet.registry';
import { ListBodyWriter } from './list-body.writer';
import type { ObjectWriter } from './object-writer';
import { asVersion, storedJson } from './object-json';
import { type ListPage, page, selectionFrom, selects } from './list-query';
import type { RequestContext } from './request-context';
import type { TablePrinter } from './table-printer';
import type { EscalationGuard } from '../auth/escalation.guard';
import { admitValidatingPolicies } from '../admission/validating-admission-policy';

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.includes('as=Table');
}

export class ResourceHandler {
  private readonly bodies: ListBodyWriter;

  constructor(
    private readonly writer: ObjectWriter,
    private readonly tables: TablePrinter,
    private readonly escalation: EscalationGuard,
    private readonly fleet: Pick<FleetRegistry, 'listSegment' | 'segmentItems'>,
  ) {
    this.bodies = new ListBodyWriter((seg) => this.fleet.segmentItems(seg));
  }

  /** Admission for a create (no `old`) or an update through the API: RBAC escalation prevention. */
  admit(ctx: RequestContext, obj: KubeObject, old?: KubeObject): void {
    this.escalation.admit(ctx, obj, old);
    admitValidatingPolicies({ store: ctx.store, type: ctx.type, obj, old, user: ctx.user });
  }

  current(ctx: RequestContext) {
    const { info, type, store } = ctx;
    const name = info.name!;
    const stored = store.get(type.storeKey, type.namespaced ? (info.namespace ?? '') : '', name);
    if (!stored) throw errors.notFound(type, name);
    return stored;
  }

  get(ctx: RequestContext): void {
    const stored = this.current(ctx);
    if (wantsTable(ctx.req.headers.accept)) {
      sendJson(ctx.res, 200, this.tables.table(ctx, [stored], String(stored.rv)));
      return;
    }
    sendJson(ctx.res, 200, storedJson(stored, ctx.apiVersion));
  }

  list(ctx: RequestContext): void {
    const { type, info, query, record } = ctx;
    if (type.namespaced === false && info.namespace !== undefined && type.kind !== 'Namespace') throw errors.pathNotFound();
    const sel = selectionFrom(query, type.storeKey);
    const table = wantsTable(ctx.req.headers.accept);
    if (!table && sel.labels === undefined && sel.fields === undefined && !query.get('continue')) {
      // Unfiltered lists are the hot path (a fleet scan lists every kind of every cluster): their
      // items are served from the cluster's serialised segment, without decoding the cluster.
      const seg = this.fleet.listSegment(record, type.storeKey, type.namespaced ? (info.namespace ?? '') : '');
      const limit = Number.parseInt(query.get('limit') ?? '', 10);
      if ((seg.count === 0 || seg.apiVersion === ctx.apiVersion) && !(limit > 0 && limit < seg.count)) {
        this.bodies.send(ctx.req, ctx.res, `{"kind":"${type.kind}List","apiVersion":"${ctx.apiVersion}","metadata":{"resourceVersion":"${record.store?.rv ?? record.rv}"},"items":[`, seg);
        return;
      }
    }
    const store = ctx.store;
    const all = store.list(type.storeKey, type.namespaced ? info.namespace : undefined);
    const p = page(record, all, sel, query, store.rv);
    if (table) {
      sendJson(ctx.res, 200, this.tables.table(ctx, p.items, String(store.rv), p.continueToken, p.remaining));
      return;
    }
    sendRaw(ctx.res, 200, 'application/json', this.listJson(ctx, p, store.rv));
  }

  private listJson(ctx: RequestContext, p: ListPage, rv: number): string {
    let meta = `"resourceVersion":"${rv}"`;
    if (p.continueToken) meta += `,"continue":"${p.continueToken}"`;
    if (p.remaining !== undefined) meta += `,"remainingItemCount":${p.remaining}`;
    const parts = new Array<string>(p.items.length);
    for (let i = 0; i < p.items.length; i++) parts[i] = storedJson(p.items[i], ctx.apiVersion);
    return `{"kind":"${ctx.type.kind}List","apiVersion":"${ctx.apiVersion}","metadata":{${meta}},"items":[${parts.join(',')}]}`;
  }

  /** Reads and checks a request body as an object of this resource. */
  async bodyObject(ctx: RequestContext): Promise<KubeObject> {
    const body = await readJson(ctx.req);
    return this.checkObject(ctx, body);
  }

  checkObject(ctx: RequestContext, body: unknown): KubeObject {
    const { type, info } = ctx;
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw errors.badRequest('the body of the request was not a JSON object');
    const obj = body as KubeObject;
    if (obj.kind !== undefined && obj.kind !== type.kind) {
      throw errors.badRequest(`the kind in the body (${String(obj.kind)}) does not match the kind of the resource (${type.kind})`);
    }
    if (obj.apiVersion !== undefined && obj.apiVersion !== ctx.apiVersion) {
      throw errors.badRequest(`the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${ctx.apiVersion})`);
    }
    obj.kind = type.kind;
    obj.apiVersion = groupVersion(type.group, type.version);
    if (obj.metadata === undefined || obj.metadata === null || typeof obj.metadata !== 'object') obj.metadata = { name: '' };
    if (obj.metadata.name === undefined) obj.metadata.name = '';
    if (typeof obj.metadata.name !== 'string') throw errors.badRequest('metadata.name must be a string');
    if (type.namespaced) {
      const ns = info.namespace ?? '';
      if (obj.metadata.namespace && obj.metadata.namespace !== ns) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
      obj.metadata.namespace = ns;
    } else {
      delete obj.metadata.namespace;
    }
    if (info.name !== undefined && obj.metadata.name !== '' && obj.metadata.name !== info.name) {
      throw errors.badRequest(`the name of the object (${obj.metadata.name}) does not match the name on the URL (${info.name})`);
    }
    if (info.name !== undefined && obj.metadata.name === '') obj.metadata.name = info.name;
    return obj;
  }

  async create(ctx: RequestContext): Promise<void> {
    if (ctx.info.name !== undefined) throw errors.methodNotAllowed();
    if (ctx.type.namespaced && ctx.info.namespace === undefined) throw errors.methodNotAllowed('the server does not allow this method on the requested resource (a namespaced create needs a namespace in the path)');
    const obj = await this.bodyObject(ctx);
    this.admit(ctx, obj);
    const created = this.writer.create(ctx.record, ctx.store, ctx.type, obj, { dryRun: isDryRun(ctx.query) });
    sendJson(ctx.res, 201, asVersion(created, ctx.apiVersion));
  }

  async update(ctx: RequestContext, statusOnly = false): Promise<void> {
    const current = this.current(ctx);
    const obj = await this.bodyObject(ctx);
    if (!statusOnly) this.admit(ctx, obj, current.obj);
    const updated = this.writer.update(ctx.record, ctx.store, ctx.type, current, obj, { dryRun: isDryRun(ctx.query), statusOnly });
    sendJson(ctx.res, 200, asVersion(updated, ctx.apiVersion));
  }

  async delete(ctx: RequestContext): Promise<void> {
    const current = this.current(ctx);
    const opts = await deleteOptions(ctx);
    const deleted = this.writer.delete(ctx.record, ctx.store, ctx.type, current, opts.preconditions, opts.dryRun || isDryRun(ctx.query));
    sendJson(ctx.res, 200, asVersion(deleted, ctx.apiVersion));
  }

  async deleteCollection(ctx: RequestContext): Promise<void> {
    const { type, store, info, query } = ctx;
    const opts = await deleteOptions(ctx);
    const sel = selectionFrom(query, type.storeKey);
    const victims = store.list(type.storeKey, type.namespaced ? info.namespace : undefined).filter((s) => selects(sel, s));
    const items = victims.map((v) => this.writer.delete(ctx.record, store, type, v, {}, opts.dryRun || isDryRun(query)));
    sendJson(ctx.res, 200, { kind: `${type.kind}List`, apiVersion: ctx.apiVersion, metadata: { resourceVersion: String(store.rv) }, items: items.map((o) => asVersion(o, ctx.apiVersion)) });
  }

  /** GET/PUT of the scale subresource (autoscaling/v1 Scale). */
  async scale(ctx: RequestContext): Promise<void> {
    if (ctx.req.method === 'GET') {
      sendJson(ctx.res, 200, toScaleObject(this.current(ctx).obj));
      return;
    }
    const body = (await readJson(ctx.req)) as { spec?: { replicas?: number }; metadata?: { resourceVersion?: string } };
    await this.scaleTo(ctx, body?.spec?.replicas, body?.metadata?.resourceVersion);
  }

  async scaleTo(ctx: RequestContext, replicas: number | undefined, resourceVersion?: string): Promise<void> {
    const current = this.current(ctx);
    const obj = current.obj as KubeObject & { spec?: Record<string, any> };
    if (typeof replicas !== 'number' || replicas < 0) throw errors.invalid('Scale', 'autoscaling', obj.metadata.name, [{ field: 'spec.replicas', message: `Invalid value: ${String(replicas)}: must be greater than or equal to 0` }]);
    const next = { ...obj, metadata: { ...obj.metadata, resourceVersion: resourceVersion ?? obj.metadata.resourceVersion }, spec: { ...obj.spec, replicas } };
    const updated = this.writer.update(ctx.record, ctx.store, ctx.type, current, next);
    sendJson(ctx.res, 200, toScaleObject(updated));
  }

  /** Pod logs: a few deterministic lines (enough for `kubectl logs`). */
  log(ctx: RequestContext): void {
    const pod = this.current(ctx).obj as KubeObject & { spec?: { containers?: Array<{ name: string; image?: string }> } };
    const containers = pod.spec?.containers ?? [];
    const want = ctx.query.get('container') ?? containers[0]?.name;
    const c = containers.find((x) => x.name === want);
    if (!c) throw errors.badRequest(`container ${String(want)} is not valid for pod ${pod.metadata.name}`);
    const ts = String(pod.metadata.creationTimestamp ?? '');
    const lines = [`${ts} starting ${c.name} (${c.image ?? 'unknown image'})`, `${ts} ${c.name} ready`];
    sendRaw(ctx.res, 200, 'text/plain', `${lines.join('\n')}\n`);
  }

  /** Pod eviction: the pod goes; the answer is a Status. */
  async evict(ctx: RequestContext): Promise<void> {
    const current = this.current(ctx);
    await readJson(ctx.req).catch(() => undefined);
    this.writer.delete(ctx.record, ctx.store, ctx.type, current);
    sendJson(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  }
}

export function isDryRun(query: URLSearchParams): boolean {
  return query.getAll('dryRun').includes('All');
}

async function deleteOptions(ctx: RequestContext): Promise<{ preconditions: { uid?: string; resourceVersion?: string }; dryRun: boolean }> {
  const text = await readBody(ctx.req);
  if (!text.trim()) return { preconditions: {}, dryRun: false };
  let body: { preconditions?: { uid?: string; resourceVersion?: string }; dryRun?: string[] };
  try {
    body = JSON.parse(text);
  } catch {
    throw errors.badRequest('the body of the request could not be decoded as DeleteOptions');
  }
  return { preconditions: body?.preconditions ?? {}, dryRun: Array.isArray(body?.dryRun) && body.dryRun.includes('All') };
}

function selectorString(sel: { matchLabels?: Record<string, string> } | undefined): string {
  return Object.entries(sel?.matchLabels ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

function toScaleObject(o: KubeObject): Record<string, unknown> {
  const spec = o.spec as Record<string, any> | undefined;
  const status = o.status as Record<string, any> | undefined;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: o.metadata.name, namespace: o.metadata.namespace, uid: o.metadata.uid, resourceVersion: o.metadata.resourceVersion, creationTimestamp: o.metadata.creationTimestamp },
    spec: { replicas: spec?.replicas ?? 0 },
    status: { replicas: status?.replicas ?? 0, selector: selectorString(spec?.selector) },
  };
}
