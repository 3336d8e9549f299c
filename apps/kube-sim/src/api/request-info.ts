/** Parses a cluster-relative path into what RBAC and the handlers need, as kube-apiserver's RequestInfoFactory does. */

export interface ResourceRequest {
  isResource: true;
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** RBAC verb: get, list, watch, create, update, patch, delete, deletecollection. */
  verb: string;
}

export interface NonResourceRequest {
  isResource: false;
  path: string;
  verb: string;
}

export type RequestInfo = ResourceRequest | NonResourceRequest;

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function parseRequestInfo(method: string, path: string, query: URLSearchParams): RequestInfo {
  const parts = path.split('/').filter((p) => p !== '');
  const lower = method.toLowerCase();
  const nonResource = (): NonResourceRequest => ({ isResource: false, path, verb: lower === 'head' ? 'get' : lower });
  let rest: string[];
  let group: string;
  let version: string;
  if (parts[0] === 'api' && parts.length >= 3) {
    group = '';
    version = parts[1];
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1];
    version = parts[2];
    rest = parts.slice(3);
  } else {
    return nonResource();
  }
  // The deprecated /api/v1/watch/... form still works upstream.
  let legacyWatch = false;
  if (rest[0] === 'watch' && rest.length >= 2) {
    legacyWatch = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && NAMESPACE_SUBRESOURCES.has(rest[2]))) {
    namespace = decodeURIComponent(rest[1]);
    rest = rest.slice(2);
  } else if (rest[0] === 'namespaces' && rest.length >= 2) {
    // The namespace object itself: its name doubles as its namespace for RBAC.
    namespace = decodeURIComponent(rest[1]);
  }
  const resource = rest[0];
  const name = rest[1] !== undefined ? decodeURIComponent(rest[1]) : undefined;
  const subresource = rest[2];
  if (rest.length > 3) return nonResource();
  let verb: string;
  const watch = query.get('watch');
  const isWatch = legacyWatch || watch === 'true' || watch === '1';
  switch (method) {
    case 'GET':
    case 'HEAD':
      verb = isWatch ? 'watch' : name === undefined ? 'list' : 'get';
      break;
    case 'POST':
      verb = 'create';
      break;
    case 'PUT':
      verb = 'update';
      break;
    case 'PATCH':
      verb = 'patch';
      break;
    case 'DELETE':
      verb = name === undefined ? 'deletecollection' : 'delete';
      break;
    default:
      verb = lower;
  }
  return { isResource: true, group, version, namespace, resource, name, subresource, verb };
}
