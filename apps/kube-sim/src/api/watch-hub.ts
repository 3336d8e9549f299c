/**
 * Watches: a chunked stream of JSON events per request. A watch from a resourceVersion replays the
 * cluster's change history after it (410 Gone once that history is compacted); without one it
 * starts with the current objects as ADDED. timeoutSeconds is honoured; selectors are applied to
 * old and new states so an object leaving the selection is seen as DELETED, as upstream does.
 */
import type { ServerResponse } from 'node:http';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { FleetRegistry } from '../fleet/fleet.registry';
import type { Change, StoredObject } from '../store/object-store';
import { errors } from '../http/api-error';
import { storedJson } from './object-json';
import { type Selection, selectionFrom, selects } from './list-query';
import type { RequestContext } from './request-context';
import { wantsTable } from './resource.handler';
import type { TablePrinter } from './table-printer';

interface Watcher {
  ctx: RequestContext;
  storeKey: string;
  namespace?: string;
  sel: Selection;
  table: boolean;
  timer: NodeJS.Timeout;
  bookmarks?: NodeJS.Timeout;
  res: ServerResponse;
}

const BOOKMARK_INTERVAL_MS = 60_000;

const MAX_TIMEOUT_SECONDS = 1800;

export class WatchHub {
  private readonly byCluster = new Map<string, Set<Watcher>>();

  constructor(
    fleet: FleetRegistry,
    private readonly tables: TablePrinter,
  ) {
    fleet.onChange((record, change) => this.dispatch(record, change));
    fleet.onRemove((name) => this.closeCluster(name));
  }

  count(): number {
    let n = 0;
    for (const s of this.byCluster.values()) n += s.size;
    return n;
  }

  start(ctx: RequestContext): void {
    const { type, info, query, store, res } = ctx;
    const sel = selectionFrom(query, type.storeKey);
    // A watch on a single object (…/pods?watch=1&fieldSelector=metadata.name=x, or the legacy …/pods/x?watch=1).
    if (info.name !== undefined) {
      const byName = selectionFrom(new URLSearchParams({ fieldSelector: `metadata.name=${info.name}` }), type.storeKey);
      sel.fields = sel.fields ? ((f1, f2) => (o: any) => f1(o) && f2(o))(sel.fields, byName.fields!) : byName.fields;
    }
    const namespace = type.namespaced ? info.namespace : undefined;
    const rvParam = query.get('resourceVersion') ?? '';
    let replay: Change[] | undefined;
    let initial: StoredObject[] = [];
    if (rvParam === '' || rvParam === '0') {
      initial = store.list(type.storeKey, namespace).filter((s) => selects(sel, s));
    } else {
      const rv = Number.parseInt(rvParam, 10);
      if (!Number.isFinite(rv) || rv < 0) throw errors.badRequest(`invalid resource version "${rvParam}"`);
      replay = store.changesSince(rv);
    }
    const timeoutParam = Number.parseInt(query.get('timeoutSeconds') ?? '', 10);
    const timeout = Number.isFinite(timeoutParam) && timeoutParam > 0 ? Math.min(timeoutParam, MAX_TIMEOUT_SECONDS) : MAX_TIMEOUT_SECONDS;
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    // Clients wait for the headers before they count the watch as started.
    res.flushHeaders();
    const w: Watcher = { ctx, storeKey: type.storeKey, namespace, sel, table: wantsTable(ctx.req.headers.accept), res, timer: setTimeout(() => this.close(ctx.record.spec.name, w), timeout * 1000) };
    w.timer.unref();
    if (replay === undefined && rvParam !== '' && rvParam !== '0') {
      res.write(`${JSON.stringify({ type: 'ERROR', object: errors.gone(`too old resource version: ${rvParam} (${store.historyFloor})`).toStatus() })}\n`);
      clearTimeout(w.timer);
      res.end();
      return;
    }
    for (const s of initial) this.write(w, 'ADDED', s);
    for (const c of replay ?? []) this.deliver(w, c);
    if (query.get('sendInitialEvents') === 'true' && query.get('allowWatchBookmarks') === 'true') {
      res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion: ctx.apiVersion, metadata: { resourceVersion: String(store.rv), annotations: { 'k8s.io/initial-events-end': 'true' } } } })}\n`);
    }
    let set = this.byCluster.get(ctx.record.spec.name);
    if (!set) this.byCluster.set(ctx.record.spec.name, (set = new Set()));
    set.add(w);
    // A watched cluster keeps its store (and so its change history) in memory.
    ctx.record.pins++;
    if (query.get('allowWatchBookmarks') === 'true') {
      // Periodic bookmarks let informers resume from a recent resourceVersion after a timeout.
      w.bookmarks = setInterval(() => {
        if (!res.writableEnded) res.write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: type.kind, apiVersion: ctx.apiVersion, metadata: { resourceVersion: String(ctx.store.rv) } } })}\n`);
      }, BOOKMARK_INTERVAL_MS);
      w.bookmarks.unref();
    }
    res.on('close', () => this.close(ctx.record.spec.name, w));
  }

  closeAll(): void {
    for (const [name, set] of this.byCluster) for (const w of [...set]) this.close(name, w);
  }

  /** Ends every watch on a cluster (it went down, or it was deleted). */
  closeCluster(name: string): void {
    for (const w of [...(this.byCluster.get(name) ?? [])]) this.close(name, w);
  }

  private close(cluster: string, w: Watcher): void {
    clearTimeout(w.timer);
    if (w.bookmarks) clearInterval(w.bookmarks);
    const set = this.byCluster.get(cluster);
    if (set?.delete(w)) {
      w.ctx.record.pins--;
      if (set.size === 0) this.byCluster.delete(cluster);
    }
    if (!w.res.writableEnded) w.res.end();
  }

  private dispatch(record: ClusterRecord, change: Change): void {
    const set = this.byCluster.get(record.spec.name);
    if (!set) return;
    for (const w of set) if (w.storeKey === change.storeKey) this.deliver(w, change);
  }

  private deliver(w: Watcher, change: Change): void {
    if (change.storeKey !== w.storeKey) return;
    if (w.namespace !== undefined && (change.stored.obj.metadata.namespace ?? '') !== w.namespace) return;
    const now = change.type !== 'DELETED' && selects(w.sel, change.stored);
    const before = change.old !== undefined && selects(w.sel, change.old);
    if (change.type === 'ADDED' && now) this.write(w, 'ADDED', change.stored);
    else if (change.type === 'DELETED' && before) this.write(w, 'DELETED', change.stored);
    else if (change.type === 'MODIFIED') {
      if (now && before) this.write(w, 'MODIFIED', change.stored);
      else if (now) this.write(w, 'ADDED', change.stored);
      else if (before) this.write(w, 'DELETED', change.stored);
    }
  }

  private write(w: Watcher, type: string, stored: StoredObject): void {
    if (w.res.writableEnded) return;
    const object = w.table ? JSON.stringify(this.tables.table(w.ctx, [stored], String(stored.rv))) : storedJson(stored, w.ctx.apiVersion);
    w.res.write(`{"type":"${type}","object":${object}}\n`);
  }
}
