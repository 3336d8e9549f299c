/**
 * The create-only review resources (SelfSubjectAccessReview, SelfSubjectRulesReview,
 * SubjectAccessReview, TokenReview, SelfSubjectReview) and TokenRequest
 * (`serviceaccounts/<name>/token`), answered from the cluster's own RBAC and tokens.
 */
import type { RequestContext } from '../api/request-context';
import type { RequestInfo } from '../api/request-info';
import { errors } from '../http/api-error';
import { readJson, sendJson } from '../http/http-io';
import type { RbacAuthorizer } from './rbac-authorizer';
import type { TokenAuthenticator } from './token-authenticator';
import type { TokenSigner } from './token-signer';
import type { UserInfo } from './user-info';

interface ResourceAttributes {
  namespace?: string;
  verb?: string;
  group?: string;
  version?: string;
  resource?: string;
  subresource?: string;
  name?: string;
}

export class ReviewHandler {
  constructor(
    private readonly rbac: RbacAuthorizer,
    private readonly authn: TokenAuthenticator,
    private readonly signer: TokenSigner,
  ) {}

  async handle(ctx: RequestContext): Promise<void> {
    const body = (await readJson(ctx.req)) as Record<string, any>;
    const spec = (body?.spec ?? {}) as Record<string, any>;
    const kind = ctx.type.kind;
    let status: Record<string, unknown>;
    switch (kind) {
      case 'SelfSubjectAccessReview':
        status = this.access(ctx, ctx.user, spec);
        break;
      case 'SubjectAccessReview':
      case 'LocalSubjectAccessReview': {
        const user: UserInfo = { username: spec.user ?? '', groups: spec.groups ?? [], uid: spec.uid };
        const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.username);
        if (sa) user.serviceAccount = { namespace: sa[1], name: sa[2] };
        if (kind === 'LocalSubjectAccessReview') spec.resourceAttributes = { ...spec.resourceAttributes, namespace: ctx.info.namespace };
        status = this.access(ctx, user, spec);
        break;
      }
      case 'SelfSubjectRulesReview':
        status = this.rules(ctx, spec.namespace ?? '');
        break;
      case 'TokenReview': {
        const token = String(spec.token ?? '');
        const user = token === this.authn.adminToken(ctx.record.spec.name) ? { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] } : this.authn.serviceAccountUser(ctx.record, ctx.store, token);
        status = user ? { authenticated: true, user: { username: user.username, uid: user.uid, groups: user.groups }, audiences: spec.audiences ?? ['https://kubernetes.default.svc.cluster.local'] } : { authenticated: false, error: 'invalid bearer token' };
        break;
      }
      case 'SelfSubjectReview':
        status = { userInfo: { username: ctx.user.username, uid: ctx.user.uid, groups: ctx.user.groups } };
        break;
      default:
        throw errors.methodNotAllowed();
    }
    sendJson(ctx.res, 201, { kind, apiVersion: ctx.apiVersion, metadata: { creationTimestamp: null }, spec, status });
  }

  private access(ctx: RequestContext, user: UserInfo, spec: Record<string, any>): Record<string, unknown> {
    let info: RequestInfo;
    if (spec.nonResourceAttributes) {
      info = { isResource: false, path: String(spec.nonResourceAttributes.path ?? ''), verb: String(spec.nonResourceAttributes.verb ?? '') };
    } else {
      const a = (spec.resourceAttributes ?? {}) as ResourceAttributes;
      info = { isResource: true, group: a.group ?? '', version: a.version ?? '', namespace: a.namespace || undefined, resource: a.resource ?? '', subresource: a.subresource || undefined, name: a.name || undefined, verb: a.verb ?? '' };
    }
    const d = this.rbac.authorize(ctx.store, user, info);
    return d.allowed ? { allowed: true, reason: user.groups.includes('system:masters') ? '' : d.reason } : { allowed: false };
  }

  private rules(ctx: RequestContext, namespace: string): Record<string, unknown> {
    if (ctx.user.groups.includes('system:masters')) {
      return {
        resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews', 'selfsubjectrulesreviews'] }],
        nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }],
        incomplete: false,
      };
    }
    const rules = this.rbac.rulesFor(ctx.store, ctx.user, namespace || undefined);
    const resourceRules = rules.filter((r) => !r.nonResourceURLs).map((r) => ({ verbs: r.verbs, apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], ...(r.resourceNames?.length ? { resourceNames: r.resourceNames } : {}) }));
    const nonResourceRules = rules.filter((r) => r.nonResourceURLs).map((r) => ({ verbs: r.verbs, nonResourceURLs: r.nonResourceURLs }));
    return { resourceRules, nonResourceRules, incomplete: false };
  }

  /** POST serviceaccounts/<name>/token. */
  async tokenRequest(ctx: RequestContext): Promise<void> {
    const name = ctx.info.name!;
    const ns = ctx.info.namespace ?? '';
    const sa = ctx.store.get('/serviceaccounts', ns, name);
    if (!sa) throw errors.notFound({ group: '', resource: 'serviceaccounts' }, name);
    const body = (await readJson(ctx.req)) as { spec?: { audiences?: string[]; expirationSeconds?: number; boundObjectRef?: unknown } };
    const seconds = body?.spec?.expirationSeconds ?? 3600;
    if (typeof seconds !== 'number' || seconds < 600) {
      throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [{ field: 'spec.expirationSeconds', message: 'Invalid value: may not specify a duration less than 10 minutes' }]);
    }
    if (seconds > 2 ** 32) throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [{ field: 'spec.expirationSeconds', message: 'Invalid value: may not specify a duration larger than 2^32 seconds' }]);
    const now = Math.floor((Date.now() + ctx.record.clockOffsetMs) / 1000);
    const exp = now + seconds;
    const audiences = body?.spec?.audiences?.length ? body.spec.audiences : ['https://kubernetes.default.svc.cluster.local'];
    const token = this.signer.signServiceAccount(ctx.record.spec.name, {
      sub: `system:serviceaccount:${ns}:${name}`,
      namespace: ns,
      serviceAccount: name,
      serviceAccountUid: String(sa.obj.metadata.uid ?? ''),
      exp,
      iat: now,
      audiences,
    });
    sendJson(ctx.res, 201, {
      kind: 'TokenRequest',
      apiVersion: 'authentication.k8s.io/v1',
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences, expirationSeconds: seconds, boundObjectRef: body?.spec?.boundObjectRef ?? null },
      status: { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    });
  }
}
