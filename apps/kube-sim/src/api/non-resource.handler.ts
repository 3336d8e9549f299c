/** Paths that are not resources: /version, health checks, discovery, OpenAPI and metrics. */
import type { ServerResponse } from 'node:http';
import type { DiscoveryHandler } from '../catalog/discovery.handler';
import type { OpenApiHandler } from '../catalog/openapi.handler';
import type { ClusterRecord } from '../fleet/cluster-record';
import { ApiError, errors } from '../http/api-error';
import { sendJson, sendRaw } from '../http/http-io';
import { renderMetrics } from '../metrics/cluster-metrics';

const CHECKS = ['ping', 'log', 'etcd', 'poststarthook/start-apiserver-admission-initializer', 'poststarthook/generic-apiserver-start-informers', 'poststarthook/rbac/bootstrap-roles', 'poststarthook/bootstrap-controller'];

export class NonResourceHandler {
  constructor(
    private readonly discovery: DiscoveryHandler,
    private readonly openapi: OpenApiHandler,
  ) {}

  handle(res: ServerResponse, record: ClusterRecord, path: string, query: URLSearchParams, accept: string | undefined, serverAddress: string, prefix: string): void {
    const management = record.spec.flavor === 'management';
    if (path === '/version' || path === '/version/') {
      sendJson(res, 200, JSON.stringify(record.versionInfo, null, 2));
      return;
    }
    const health = /^\/(healthz|livez|readyz)(?:\/(.+))?$/.exec(path);
    if (health) {
      const [, kind, check] = health;
      if (check !== undefined) {
        if (!CHECKS.includes(check)) throw errors.pathNotFound();
        sendRaw(res, 200, 'text/plain; charset=utf-8', 'ok');
        return;
      }
      if (query.has('verbose')) {
        sendRaw(res, 200, 'text/plain; charset=utf-8', `${CHECKS.map((c) => `[+]${c} ok`).join('\n')}\n${kind} check passed\n`);
      } else {
        sendRaw(res, 200, 'text/plain; charset=utf-8', 'ok');
      }
      return;
    }
    if (path === '/metrics') {
      sendRaw(res, 200, 'text/plain; version=0.0.4; charset=utf-8', renderMetrics(record));
      return;
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      sendJson(res, 200, this.openapi.index(management, prefix));
      return;
    }
    if (path.startsWith('/openapi/v3/')) {
      const doc = this.openapi.document(path.slice('/openapi/v3/'.length), management);
      if (!doc) throw errors.pathNotFound();
      sendJson(res, 200, doc, { Etag: '"kube-sim"' });
      return;
    }
    if (path === '/openapi/v2') {
      // Only JSON: a client insisting on protobuf is told so (and falls back to v3).
      if (accept && !accept.includes('json') && !accept.includes('*/*')) throw new ApiError(406, 'NotAcceptable', 'only application/json is served at /openapi/v2');
      sendJson(res, 200, { swagger: '2.0', info: { title: 'Kubernetes', version: record.versionInfo?.gitVersion ?? 'unversioned' }, paths: {}, definitions: {} });
      return;
    }
    if (path === '/api' || path.startsWith('/api/') || path === '/apis' || path.startsWith('/apis/')) {
      const doc = this.discovery.document(path, management, serverAddress);
      if (doc) {
        sendJson(res, 200, doc);
        return;
      }
    }
    throw errors.pathNotFound();
  }
}
