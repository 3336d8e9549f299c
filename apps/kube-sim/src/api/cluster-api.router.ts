/** Serves one simulated cluster's API: faults, authentication, authorisation, then the handler for the path. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceCatalog } from '../catalog/resource-catalog';
import type { FleetRegistry } from '../fleet/fleet.registry';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { RbacAuthorizer } from '../auth/rbac-authorizer';
import { forbiddenMessage } from '../auth/rbac-authorizer';
import type { ReviewHandler } from '../auth/review.handler';
import type { TokenAuthenticator } from '../auth/token-authenticator';
import { injectFaults } from '../faults/fault-injector';
import { ApiError, errors } from '../http/api-error';
import { readJson, sendStatus } from '../http/http-io';
import { countClient, countRequest } from '../metrics/cluster-metrics';
import { groupVersion } from '../catalog/resource-type';
import type { NonResourceHandler } from './non-resource.handler';
import type { PatchHandler } from './patch.handler';
import type { RequestContext } from './request-context';
import { type RequestInfo, parseRequestInfo } from './request-info';
import type { ResourceHandler } from './resource.handler';
import type { WatchHub } from './watch-hub';
import { mergePatch } from './strategic-merge';

export interface ClusterApiDeps {
  fleet: FleetRegistry;
  catalog: ResourceCatalog;
  authn: TokenAuthenticator;
  rbac: RbacAuthorizer;
  resources: ResourceHandler;
  patches: PatchHandler;
  reviews: ReviewHandler;
  watches: WatchHub;
  nonResource: NonResourceHandler;
  serverAddress: () => string;
}

/** The cluster's Kubernetes minor (its content must be generated: the version comes with it). */
function clusterMinor(fleet: { store(record: ClusterRecord): unknown }, record: ClusterRecord): number {
  if (!record.versionInfo) fleet.store(record);
  return Number.parseInt(record.versionInfo?.minor ?? '0', 10) || 0;
}

export class ClusterApiRouter {
  constructor(private readonly d: ClusterApiDeps) {}

  async handle(req: IncomingMessage, res: ServerResponse, clusterName: string, path: string, queryString: string): Promise<void> {
    const record = this.d.fleet.get(clusterName);
    if (!record) {
      sendStatus(res, errors.pathNotFound());
      return;
    }
    countClient(record, req.headers['user-agent']);
    let verb = (req.method ?? 'GET').toLowerCase();
    let group = '';
    let version = '';
    let resource = '';
    try {
      if (await injectFaults(record, req, res)) return;
      // Deleted while the request waited out its latency.
      if (this.d.fleet.get(clusterName) !== record) throw errors.pathNotFound();
      const query = new URLSearchParams(queryString);
      const authenticated = this.d.authn.authenticate(record, () => this.d.fleet.store(record), req.headers.authorization);
      if (!authenticated) throw errors.unauthorized();
      const user = this.d.authn.impersonate(authenticated, req.headers);
      if (user === 'forbidden') throw errors.forbidden(`users "${String(req.headers['impersonate-user'])}" is forbidden: User "${authenticated.username}" cannot impersonate resource "users" in API group "" at the cluster scope`);
      // The cluster's objects are decoded only when something needs them: an admin's list of a
      // resident cluster is served from its serialised segment without touching them.
      const fleet = this.d.fleet;
      const allowed = (i: RequestInfo): boolean => user.groups.includes('system:masters') || this.d.rbac.authorize(fleet.store(record), user, i).allowed;
      const info = parseRequestInfo(req.method ?? 'GET', path, query);
      verb = info.verb;
      if (!info.isResource) {
        if (!allowed(info)) throw errors.forbidden(forbiddenMessage(user, info));
        // An admin's first request may be /version: the version comes with the cluster's content.
        if (!record.versionInfo) fleet.store(record);
        this.d.nonResource.handle(res, record, path, query, req.headers.accept, this.d.serverAddress(), `/clusters/${clusterName}`);
        return;
      }
      ({ group, version, resource } = info);
      const type = this.d.catalog.lookup(info.group, info.version, info.resource);
      if (!type || (type.managementOnly && record.spec.flavor !== 'management') || (type.minMinor !== undefined && clusterMinor(fleet, record) < type.minMinor)) {
        this.noteDeprecated(record, info.group, info.version, info.resource, info.subresource);
        throw errors.pathNotFound();
      }
      if (!allowed(info)) {
        throw errors.forbidden(forbiddenMessage(user, info), { group: type.group, resource: info.subresource ? `${type.resource}/${info.subresource}` : type.resource }, info.name);
      }
      const ctx: RequestContext = {
        req,
        res,
        record,
        get store() {
          return fleet.store(record);
        },
        user,
        info,
        type,
        query,
        apiVersion: groupVersion(type.group, type.version),
      };
      await this.dispatch(ctx);
      countRequest(record, verb, group, version, resource, res.statusCode);
    } catch (err) {
      const apiErr = err instanceof ApiError ? err : errors.internal((err as Error).message);
      if (!(err instanceof ApiError)) process.stderr.write(`kube-sim: ${req.method} ${path} on ${clusterName}: ${(err as Error).stack ?? String(err)}\n`);
      countRequest(record, verb, group, version, resource, apiErr.code);
      if (res.headersSent) res.end();
      else sendStatus(res, apiErr);
    }
  }

  private noteDeprecated(record: ClusterRecord, group: string, version: string, resource: string, subresource?: string): void {
    for (const u of record.deprecatedApiUse ?? []) {
      if (u.group === group && u.version === version && u.resource === resource) {
        record.requestedDeprecated.add(`${group}|${version}|${resource}|${subresource ?? ''}|${u.removedRelease}`);
      }
    }
  }

  private async dispatch(ctx: RequestContext): Promise<void> {
    const { info, type, req } = ctx;
    const method = req.method ?? 'GET';
    const { resources, patches } = this.d;
    if (type.virtual) {
      if (method !== 'POST' || info.name !== undefined) throw errors.methodNotAllowed();
      await this.d.reviews.handle(ctx);
      return;
    }
    const sub = info.subresource;
    if (sub === undefined) {
      switch (method) {
        case 'GET':
        case 'HEAD':
          if (info.verb === 'watch') this.d.watches.start(ctx);
          else if (info.name !== undefined) resources.get(ctx);
          else resources.list(ctx);
          return;
        case 'POST':
          await resources.create(ctx);
          return;
        case 'PUT':
          if (info.name === undefined) throw errors.methodNotAllowed();
          await resources.update(ctx);
          return;
        case 'PATCH':
          if (info.name === undefined) throw errors.methodNotAllowed();
          await patches.patch(ctx);
          return;
        case 'DELETE':
          if (info.name !== undefined) await resources.delete(ctx);
          else if (type.verbs.includes('deletecollection')) await resources.deleteCollection(ctx);
          else throw errors.methodNotAllowed();
          return;
        default:
          throw errors.methodNotAllowed();
      }
    }
    if (!type.subresources?.includes(sub) || info.name === undefined) throw errors.pathNotFound();
    switch (`${sub} ${method}`) {
      case 'status GET':
        resources.get(ctx);
        return;
      case 'status PUT':
        await resources.update(ctx, true);
        return;
      case 'status PATCH':
        await patches.patch(ctx, true);
        return;
      case 'scale GET':
      case 'scale PUT':
        await resources.scale(ctx);
        return;
      case 'scale PATCH': {
        // Patched as a Scale: only spec.replicas matters.
        const body = await readJson(req);
        const replicas = (mergePatch({}, body) as { spec?: { replicas?: number } }).spec?.replicas;
        await resources.scaleTo(ctx, replicas);
        return;
      }
      case 'log GET':
        resources.log(ctx);
        return;
      case 'token POST':
        await this.d.reviews.tokenRequest(ctx);
        return;
      case 'eviction POST':
        await resources.evict(ctx);
        return;
      case 'finalize PUT':
        await resources.update(ctx);
        return;
      default:
        throw errors.methodNotAllowed();
    }
  }
}
