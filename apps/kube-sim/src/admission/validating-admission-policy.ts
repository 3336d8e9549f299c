/**
 * ValidatingAdmissionPolicy admission as kube-apiserver does it (admissionregistration.k8s.io/v1,
 * clusters ≥ 1.30), for the subset Flotilla emits: bindings with validationActions Deny, a
 * policy's matchConstraints (resourceRules by apiGroups/apiVersions/operations/resources, a
 * namespaceSelector), variables and validations (expression, message, messageExpression), with
 * `object`, `oldObject` and `request` bound. CEL is evaluated with the same library Flotilla's
 * audit uses (@flotilla/policy on @bufbuild/cel). A refusal is upstream's: 422 Invalid,
 * `<resource> "<name>" is forbidden: ValidatingAdmissionPolicy '<policy>' with binding '<binding>' denied request: <message>`
 * (kubectl prints `The <resource> "<name>" is invalid: : ValidatingAdmissionPolicy …`).
 * Not simulated: paramKind/paramRef, matchConditions, objectSelector, excludeResourceRules,
 * auditAnnotations, the Warn and Audit actions, and type checking.
 */
import { CelCompileError, judgeObject, selectsLabels, type CustomSpec, type LabelSelector } from '@flotilla/policy';
import type { KubeObject } from '../content/contract';
import type { ResourceType } from '../catalog/resource-type';
import { ApiError } from '../http/api-error';
import type { ObjectStore } from '../store/object-store';
import type { UserInfo } from '../auth/user-info';

export const VAP_STORE_KEY = 'admissionregistration.k8s.io/validatingadmissionpolicies';
export const VAP_BINDING_STORE_KEY = 'admissionregistration.k8s.io/validatingadmissionpolicybindings';
/** The first minor that serves admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy (GA). */
export const VAP_MINIMUM_MINOR = 30;

interface Rule {
  apiGroups?: string[];
  apiVersions?: string[];
  operations?: string[];
  resources?: string[];
}

interface PolicySpec {
  failurePolicy?: string;
  matchConstraints?: { resourceRules?: Rule[]; namespaceSelector?: LabelSelector };
  variables?: CustomSpec['variables'];
  validations?: CustomSpec['validations'];
}

interface BindingSpec {
  policyName?: string;
  validationActions?: string[];
  matchResources?: { namespaceSelector?: LabelSelector; resourceRules?: Rule[] };
}

export interface AdmissionAttributes {
  store: ObjectStore;
  type: ResourceType;
  obj: KubeObject;
  old?: KubeObject;
  user: UserInfo;
}

const matches = (list: string[] | undefined, value: string) => !list || list.includes('*') || list.includes(value);

function ruleMatches(rules: Rule[] | undefined, type: ResourceType, operation: string): boolean {
  return (rules ?? []).some((r) => matches(r.apiGroups, type.group) && matches(r.apiVersions, type.version) && matches(r.operations, operation) && matches(r.resources, type.resource));
}

function namespaceMatches(selector: LabelSelector | undefined, store: ObjectStore, type: ResourceType, obj: KubeObject): boolean {
  if (!selector) return true;
  if (type.kind === 'Namespace') return selectsLabels(selector, obj.metadata.labels as Record<string, string> | undefined);
  if (!type.namespaced) return true;
  const ns = store.get('/namespaces', '', obj.metadata.namespace ?? '');
  return selectsLabels(selector, { ...(ns?.obj.metadata.labels as Record<string, string> | undefined), 'kubernetes.io/metadata.name': obj.metadata.namespace ?? '' });
}

/** Throws the API server's refusal when a Deny binding's policy rejects the create or update. */
export function admitValidatingPolicies({ store, type, obj, old, user }: AdmissionAttributes): void {
  if (type.storeKey === VAP_STORE_KEY || type.storeKey === VAP_BINDING_STORE_KEY) return;
  const bindings = store.list(VAP_BINDING_STORE_KEY);
  if (bindings.length === 0) return;
  const operation = old ? 'UPDATE' : 'CREATE';
  for (const b of bindings.sort((x, y) => (x.obj.metadata.name < y.obj.metadata.name ? -1 : 1))) {
    const binding = b.obj.spec as BindingSpec | undefined;
    if (!binding?.policyName || !binding.validationActions?.includes('Deny')) continue;
    const policy = store.get(VAP_STORE_KEY, '', binding.policyName)?.obj;
    const spec = policy?.spec as PolicySpec | undefined;
    if (!spec?.validations?.length) continue;
    if (!ruleMatches(spec.matchConstraints?.resourceRules, type, operation)) continue;
    if (!namespaceMatches(spec.matchConstraints?.namespaceSelector, store, type, obj)) continue;
    if (binding.matchResources?.resourceRules && !ruleMatches(binding.matchResources.resourceRules, type, operation)) continue;
    if (!namespaceMatches(binding.matchResources?.namespaceSelector, store, type, obj)) continue;
    const request = {
      kind: { group: type.group, version: type.version, kind: type.kind },
      resource: { group: type.group, version: type.version, resource: type.resource },
      name: obj.metadata.name,
      namespace: obj.metadata.namespace ?? '',
      operation,
      userInfo: { username: user.username, groups: user.groups },
      dryRun: false,
    };
    let failures: string[];
    try {
      failures = judgeObject({ matchConstraints: { resourceRules: [] }, variables: spec.variables, validations: spec.validations } as CustomSpec, { object: obj, oldObject: old ?? null, request });
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      if (spec.failurePolicy === 'Ignore') continue;
      failures = [`compilation error: ${err.message}`];
    }
    if (failures.length === 0) continue;
    const qualified = type.group ? `${type.resource}.${type.group}` : type.resource;
    const denied = `ValidatingAdmissionPolicy '${binding.policyName}' with binding '${b.obj.metadata.name}' denied request: ${failures[0]}`;
    // As upstream: an admission Forbidden turned Invalid (422), the denial also as a cause without
    // a field, so kubectl prints `The deployments "x" is invalid: : ValidatingAdmissionPolicy …`.
    throw new ApiError(422, 'Invalid', `${qualified} "${obj.metadata.name}" is forbidden: ${denied}`, {
      name: obj.metadata.name,
      group: type.group,
      kind: type.resource,
      causes: [{ message: denied, field: '' }],
    });
  }
}
