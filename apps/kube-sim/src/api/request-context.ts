/** Everything a resource handler needs about one request. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceType } from '../catalog/resource-type';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { ObjectStore } from '../store/object-store';
import type { UserInfo } from '../auth/user-info';
import type { ResourceRequest } from './request-info';

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  record: ClusterRecord;
  store: ObjectStore;
  user: UserInfo;
  info: ResourceRequest;
  type: ResourceType;
  query: URLSearchParams;
  /** "v1" or "<group>/<version>" as requested. */
  apiVersion: string;
}
