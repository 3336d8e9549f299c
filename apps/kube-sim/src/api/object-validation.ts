/** The admission checks clients most often trip over, with upstream's wording (422 Invalid). */
import type { KubeObject } from '../content/contract';
import type { ResourceType } from '../catalog/resource-type';
import { errors, type StatusCause } from '../http/api-error';

const SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const LABEL_KINDS = new Set(['Namespace', 'Service']);
const PATH_SEGMENT_KINDS = new Set(['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);

/** `old`: on update, labels it already had are not re-checked (generated content may carry some upstream would refuse). */
export function validateObject(type: ResourceType, obj: KubeObject, old?: KubeObject): void {
  const causes: StatusCause[] = [];
  const name = obj.metadata.name;
  if (PATH_SEGMENT_KINDS.has(type.kind)) {
    if (name === '.' || name === '..' || name.includes('/') || name.includes('%')) causes.push({ field: 'metadata.name', message: `Invalid value: "${name}": may not contain '/' or '%'` });
  } else if (LABEL_KINDS.has(type.kind)) {
    if (name.length > 63 || !LABEL.test(name)) {
      causes.push({
        field: 'metadata.name',
        message: `Invalid value: "${name}": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')`,
      });
    }
  } else if (name.length > 253 || !SUBDOMAIN.test(name)) {
    causes.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
    });
  }
  for (const [k, v] of Object.entries(obj.metadata.labels ?? {})) {
    if (old?.metadata.labels?.[k] === v) continue;
    if (typeof v !== 'string' || v.length > 63 || !/^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/.test(v)) {
      causes.push({ field: `metadata.labels`, message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character` });
    }
    if (!/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(k)) {
      causes.push({ field: 'metadata.labels', message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'` });
    }
  }
  const spec = obj.spec as Record<string, any> | undefined;
  if (type.storeKey === '/pods') podSpec(spec, 'spec', causes);
  if (['apps/deployments', 'apps/statefulsets', 'apps/daemonsets', 'apps/replicasets'].includes(type.storeKey)) {
    if (!spec?.selector) causes.push({ field: 'spec.selector', message: 'Required value', reason: 'FieldValueRequired' });
    const tl = spec?.template?.metadata?.labels as Record<string, string> | undefined;
    const ml = spec?.selector?.matchLabels as Record<string, string> | undefined;
    if (ml && Object.entries(ml).some(([k, v]) => tl?.[k] !== v)) causes.push({ field: 'spec.template.metadata.labels', message: `Invalid value: ${JSON.stringify(tl ?? {})}: \`selector\` does not match template \`labels\`` });
    podSpec(spec?.template?.spec, 'spec.template.spec', causes);
  }
  if (type.storeKey === 'rbac.authorization.k8s.io/rolebindings' || type.storeKey === 'rbac.authorization.k8s.io/clusterrolebindings') {
    const ref = obj.roleRef as Record<string, string> | undefined;
    if (!ref?.name) causes.push({ field: 'roleRef.name', message: 'Required value', reason: 'FieldValueRequired' });
    if (ref && ref.kind !== 'Role' && ref.kind !== 'ClusterRole') causes.push({ field: 'roleRef.kind', message: `Unsupported value: "${ref.kind}": supported values: "Role", "ClusterRole"`, reason: 'FieldValueNotSupported' });
  }
  if (causes.length > 0) throw errors.invalid(type.kind, type.group, name, causes);
}

function podSpec(spec: Record<string, any> | undefined, path: string, causes: StatusCause[]): void {
  const containers = spec?.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    causes.push({ field: `${path}.containers`, message: 'Required value', reason: 'FieldValueRequired' });
    return;
  }
  containers.forEach((c: Record<string, unknown>, i: number) => {
    if (!c?.name) causes.push({ field: `${path}.containers[${i}].name`, message: 'Required value', reason: 'FieldValueRequired' });
    if (!c?.image) causes.push({ field: `${path}.containers[${i}].image`, message: 'Required value', reason: 'FieldValueRequired' });
  });
}
