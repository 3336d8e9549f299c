/** PATCH in its four media types: JSON patch, JSON merge patch, strategic merge patch and server-side apply. */
import { applyPatch, type Operation } from 'fast-json-patch';
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../content/contract';
import { errors } from '../http/api-error';
import { readBody, sendJson } from '../http/http-io';
import type { ObjectWriter } from './object-writer';
import { asVersion } from './object-json';
import type { RequestContext } from './request-context';
import { isDryRun, type ResourceHandler } from './resource.handler';
import { fieldsOf, removeDropped } from './managed-fields';
import { isPlainObject, mergePatch, strategicMerge } from './strategic-merge';

export class PatchHandler {
  constructor(
    private readonly writer: ObjectWriter,
    private readonly resources: ResourceHandler,
  ) {}

  async patch(ctx: RequestContext, statusOnly = false): Promise<void> {
    const contentType = (ctx.req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    const text = await readBody(ctx.req);
    const dryRun = isDryRun(ctx.query);
    if (contentType === 'application/apply-patch+yaml' || contentType === 'application/apply-patch+cbor') {
      await this.apply(ctx, text, statusOnly, dryRun);
      return;
    }
    const current = this.resources.current(ctx);
    const next = this.patched(current.obj, contentType, text);
    if (!isPlainObject(next)) throw errors.badRequest('the patch did not produce an object');
    const obj = next as KubeObject;
    this.checkIdentity(ctx, current.obj, obj);
    if (!statusOnly) this.resources.admit(ctx, obj, current.obj);
    const updated = this.writer.update(ctx.record, ctx.store, ctx.type, current, obj, { dryRun, statusOnly });
    sendJson(ctx.res, 200, asVersion(updated, ctx.apiVersion));
  }

  /** The patched document (or a 4xx for a patch that cannot apply). */
  patched(original: KubeObject, contentType: string, text: string): unknown {
    let patch: unknown;
    try {
      patch = JSON.parse(text);
    } catch (err) {
      if (contentType === 'application/json-patch+json' || contentType === 'application/merge-patch+json' || contentType === 'application/strategic-merge-patch+json') {
        throw errors.badRequest(`error decoding patch: ${(err as Error).message}`);
      }
      throw errors.unsupportedMediaType(contentType);
    }
    const doc = JSON.parse(JSON.stringify(original)) as KubeObject;
    switch (contentType) {
      case 'application/json-patch+json': {
        if (!Array.isArray(patch)) throw errors.badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
        try {
          return applyPatch(doc, patch as Operation[], true, true).newDocument;
        } catch (err) {
          const e = err as Error & { name?: string };
          const why = e.name === 'TEST_OPERATION_FAILED' ? 'testing value failed' : e.message.split('\n')[0];
          throw errors.invalid(original.kind, '', original.metadata.name, [{ message: `the server rejected our request due to an error in our request: ${why}` }]);
        }
      }
      case 'application/merge-patch+json':
        return mergePatch(doc, patch);
      case 'application/strategic-merge-patch+json':
        if (!isPlainObject(patch)) throw errors.badRequest('strategic merge patch must be a JSON object');
        return strategicMerge(doc, patch);
      default:
        throw errors.unsupportedMediaType(contentType);
    }
  }

  private checkIdentity(ctx: RequestContext, before: KubeObject, after: KubeObject): void {
    if (after.metadata?.name !== before.metadata.name) {
      throw errors.invalid(ctx.type.kind, ctx.type.group, before.metadata.name, [{ field: 'metadata.name', message: `Invalid value: "${String(after.metadata?.name)}": field is immutable` }]);
    }
    after.kind = before.kind;
    after.apiVersion = before.apiVersion;
    if ((after.metadata.namespace ?? '') !== (before.metadata.namespace ?? '')) throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }

  /**
   * Server-side apply, approximated: the applied configuration is merged into the live object
   * strategically (creating it when absent); fields the same manager applied before and no longer
   * applies are removed (see managed-fields.ts); conflicts are not reported.
   */
  private async apply(ctx: RequestContext, text: string, statusOnly: boolean, dryRun: boolean): Promise<void> {
    const manager = ctx.query.get('fieldManager');
    if (!manager) throw errors.badRequest('PATCH, application/apply-patch+yaml requests must have a fieldManager');
    let body: unknown;
    try {
      body = parseYaml(text);
    } catch (err) {
      throw errors.badRequest(`error decoding YAML: ${(err as Error).message}`);
    }
    const applied = this.resources.checkObject(ctx, body);
    if (!applied.metadata.name) applied.metadata.name = ctx.info.name ?? '';
    const ns = ctx.type.namespaced ? (ctx.info.namespace ?? '') : '';
    const current = ctx.store.get(ctx.type.storeKey, ns, ctx.info.name ?? '');
    const fieldsV1 = fieldsOf(applied as unknown as Record<string, unknown>);
    const entry = { manager, operation: 'Apply', apiVersion: ctx.apiVersion, time: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'), fieldsType: 'FieldsV1', fieldsV1 };
    if (!current) {
      if (statusOnly) throw errors.notFound(ctx.type, ctx.info.name ?? '');
      applied.metadata.managedFields = [entry];
      this.resources.admit(ctx, applied);
      const created = this.writer.create(ctx.record, ctx.store, ctx.type, applied, { dryRun });
      sendJson(ctx.res, 201, asVersion(created, ctx.apiVersion));
      return;
    }
    const rv = applied.metadata.resourceVersion;
    const live = JSON.parse(JSON.stringify(current.obj)) as KubeObject;
    const managers = (live.metadata.managedFields as Array<{ manager: string; operation: string; fieldsV1?: Record<string, any> }> | undefined) ?? [];
    const previous = managers.find((m) => m.manager === manager && m.operation === 'Apply');
    const others = managers.filter((m) => m !== previous);
    const merged = strategicMerge(live, applied) as KubeObject;
    removeDropped(merged as unknown as Record<string, unknown>, previous?.fieldsV1, fieldsV1, others.filter((m) => m.operation === 'Apply').map((m) => m.fieldsV1 ?? {}));
    merged.metadata.managedFields = [...others, entry];
    merged.metadata.resourceVersion = rv ?? current.obj.metadata.resourceVersion;
    if (!statusOnly) this.resources.admit(ctx, merged, current.obj);
    const updated = this.writer.update(ctx.record, ctx.store, ctx.type, current, merged, { dryRun, statusOnly });
    sendJson(ctx.res, 200, asVersion(updated, ctx.apiVersion));
  }
}
