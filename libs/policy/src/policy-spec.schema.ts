import { z } from 'zod';
import { DNS_SUBDOMAIN_MAX, isDnsLabel, isLabelKey, textProblem } from '@flotilla/validation';
import { isQuantity, parseQuantity } from './quantity';
import { PolicySpecError } from './policy-spec.errors';
import { SNAPSHOT_KINDS, type PolicyType } from './policy.types';
import { CelCompileError, compileCel } from './cel/cel-program';
import { SNAPSHOT_KIND_RESOURCES, kindsOfRule } from './evaluators/custom-match';

// DNS-1123 label: what Kubernetes accepts as a namespace name.
const namespaceName = z.string().refine(isDnsLabel, 'Must be a namespace name (at most 63 lowercase letters, digits and "-")');
// Bounded like every input list: a spec is evaluated on every cluster of every scan.
const namespaceList = z.array(namespaceName).max(1000).refine(unique, 'Must not repeat a namespace');

/**
 * Optional on every namespaced type: when given, only these namespaces are checked, and naming a
 * system namespace (kube-system, …) here is how a spec opts it in.
 */
const scope = { namespaces: namespaceList.min(1).optional(), excludeNamespaces: namespaceList.optional() };

// RBAC object names are path segments: anything but "/" and "%", and not "." or "..".
const rbacName = z
  .string()
  .min(1)
  .max(DNS_SUBDOMAIN_MAX)
  .refine((s) => textProblem(s) === null, { message: 'Must not contain control or bidirectional-override characters', abort: true })
  .refine((s) => !/[/%]/.test(s) && s !== '.' && s !== '..', 'Must be a valid RBAC name (no "/" or "%")');

const subject = z
  .strictObject({ kind: z.enum(['User', 'Group', 'ServiceAccount']), name: z
      .string()
      .min(1)
      .max(DNS_SUBDOMAIN_MAX)
      .refine((s) => textProblem(s) === null, 'Must not contain control or bidirectional-override characters'),
    namespace: namespaceName.optional(),
  })
  .superRefine((s, ctx) => {
    if (s.kind === 'ServiceAccount' && !s.namespace) ctx.addIssue({ code: 'custom', path: ['namespace'], message: 'Required for a ServiceAccount subject' });
    if (s.kind !== 'ServiceAccount' && s.namespace) ctx.addIssue({ code: 'custom', path: ['namespace'], message: `Only a ServiceAccount subject has a namespace, not a ${s.kind}` });
  });

export const accessSpecSchema = z.strictObject({
  bindings: z
    .array(z.strictObject({ role: rbacName, subjects: z.array(subject).min(1), namespaces: namespaceList.min(1).optional() }))
    .min(1),
});

export const networkSpecSchema = z.strictObject({ defaultDeny: z.enum(['ingress', 'all']), ...scope });

// Resource names such as requests.cpu, limits.memory, pods, count/deployments.apps, requests.nvidia.com/gpu.
const resourceName = z.string().max(DNS_SUBDOMAIN_MAX).regex(/^[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?$/, 'Must be a resource name such as requests.cpu');
export const quotaSpecSchema = z.strictObject({
  hard: z
    .record(
      resourceName,
      z
        .union([z.string(), z.number()])
        .refine(isQuantity, { message: 'Must be a Kubernetes quantity such as 4, 500m or 8Gi', abort: true })
        .refine((q) => parseQuantity(q).numerator >= 0n, 'Must not be negative')
        .transform((q) => String(q).trim()),
    )
    .refine((h) => Object.keys(h).length > 0, 'Must name at least one resource')
    .refine((h) => Object.keys(h).length <= 64, 'Must name at most 64 resources'),
  ...scope,
});

const registryEntry = z
  .string()
  .min(1)
  .max(DNS_SUBDOMAIN_MAX + 256)
  .refine((s) => textProblem(s) === null, { message: 'Must not contain control or bidirectional-override characters', abort: true })
  .refine((s) => !/^[a-z]+:\/\//i.test(s), { message: 'Must be a registry host or path prefix, without a scheme (e.g. ghcr.io/acme/)', abort: true })
  .refine((s) => !/\s/.test(s), { message: 'Must not contain whitespace', abort: true })
  .refine((s) => !s.slice(0, -1).includes('/') || s.endsWith('/'), 'A path prefix must end in "/" (e.g. ghcr.io/acme/); without one, an entry is a registry host')
  .transform((s) => s.toLowerCase());
export const imageRegistrySpecSchema = z.strictObject({ allowedRegistries: z.array(registryEntry).min(1).max(100), ...scope });

export const securitySpecSchema = z.strictObject({
  level: z.enum(['baseline', 'restricted']),
  version: z
    .string()
    .regex(/^(latest|v1\.(0|[1-9]\d*))$/, 'Must be "latest" or a Kubernetes version "v1.N" (v1.0 or newer)')
    .default('latest'),
  ...scope,
});

// A label key: optional DNS-subdomain prefix (at most 253) and "/", then a name of at most 63 characters.
const labelKey = z.string().refine(isLabelKey, 'Must be a label key such as owner or example.com/team (a name of at most 63 characters after an optional DNS prefix)');
export const labelsSpecSchema = z.strictObject({
  kinds: z.array(z.enum(SNAPSHOT_KINDS as [string, ...string[]])).min(1).refine(unique, 'Must not repeat a kind'),
  required: z.array(labelKey).min(1).max(64).refine(unique, 'Must not repeat a label'),
  ...scope,
});

// CUSTOM: the shape of a ValidatingAdmissionPolicy's spec (no paramKind/paramRef), CEL compiled here.
const celExpression = z
  .string()
  .min(1)
  .max(5000)
  .superRefine((expression, ctx) => {
    try {
      compileCel(expression);
    } catch (err) {
      if (!(err instanceof CelCompileError)) throw err;
      ctx.addIssue({ code: 'custom', message: `does not compile: ${err.message}` });
    }
  });
const labelValue = z.string().max(63);
const labelSelector = z.strictObject({
  matchLabels: z.record(labelKey, labelValue).optional(),
  matchExpressions: z
    .array(z.strictObject({ key: labelKey, operator: z.enum(['In', 'NotIn', 'Exists', 'DoesNotExist']), values: z.array(labelValue).max(100).optional() }))
    .max(20)
    .optional(),
});
const KNOWN_GROUPS = [...new Set(Object.values(SNAPSHOT_KIND_RESOURCES).map((r) => r.group))];
const resourceRule = z
  .strictObject({
    apiGroups: z.array(z.string().max(DNS_SUBDOMAIN_MAX)).min(1).max(20),
    apiVersions: z.array(z.string().max(20)).min(1).max(10).optional(),
    operations: z.array(z.enum(['CREATE', 'UPDATE', '*'])).min(1).optional(),
    resources: z.array(z.string().max(DNS_SUBDOMAIN_MAX)).min(1).max(50).optional(),
    kinds: z.array(z.string().max(DNS_SUBDOMAIN_MAX)).min(1).max(50).optional(),
  })
  .superRefine((rule, ctx) => {
    if (!rule.resources === !rule.kinds) ctx.addIssue({ code: 'custom', message: 'Must name either resources or kinds' });
    else if (kindsOfRule(rule).length === 0)
      ctx.addIssue({
        code: 'custom',
        message: `Matches no kind Flotilla reads (groups ${KNOWN_GROUPS.map((g) => JSON.stringify(g)).join(', ')}; kinds ${SNAPSHOT_KINDS.join(', ')})`,
      });
  });
const celIdentifier = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'Must be a CEL identifier (letters, digits and "_")').max(63);
export const customSpecSchema = z
  .strictObject({
    matchConstraints: z.strictObject({
      resourceRules: z.array(resourceRule).min(1).max(20),
      namespaceSelector: labelSelector.optional(),
      ...scope,
    }),
    variables: z.array(z.strictObject({ name: celIdentifier, expression: celExpression })).max(32).optional(),
    validations: z
      .array(z.strictObject({ expression: celExpression, message: z.string().min(1).max(1000).refine((m) => !m.includes('\n'), 'Must be one line').optional(), messageExpression: celExpression.optional() }))
      .min(1)
      .max(64),
  })
  .superRefine((spec, ctx) => {
    const names = (spec.variables ?? []).map((v) => v.name);
    names.forEach((n, i) => {
      if (names.indexOf(n) !== i) ctx.addIssue({ code: 'custom', path: ['variables', i, 'name'], message: `Must not repeat the variable "${n}"` });
    });
  });

export type AccessSpec = z.output<typeof accessSpecSchema>;
export type NetworkSpec = z.output<typeof networkSpecSchema>;
export type QuotaSpec = z.output<typeof quotaSpecSchema>;
export type ImageRegistrySpec = z.output<typeof imageRegistrySpecSchema>;
export type SecuritySpec = z.output<typeof securitySpecSchema>;
export type LabelsSpec = z.output<typeof labelsSpecSchema>;
export type CustomSpec = z.output<typeof customSpecSchema>;

export interface PolicySpecByType {
  ACCESS: AccessSpec;
  NETWORK: NetworkSpec;
  QUOTA: QuotaSpec;
  IMAGE_REGISTRY: ImageRegistrySpec;
  SECURITY: SecuritySpec;
  LABELS: LabelsSpec;
  CUSTOM: CustomSpec;
}

const SCHEMAS: { [T in PolicyType]: z.ZodType<PolicySpecByType[T]> } = {
  ACCESS: accessSpecSchema,
  NETWORK: networkSpecSchema,
  QUOTA: quotaSpecSchema,
  IMAGE_REGISTRY: imageRegistrySpecSchema,
  SECURITY: securitySpecSchema,
  LABELS: labelsSpecSchema,
  CUSTOM: customSpecSchema,
};

/** Returns the normalised spec (defaults filled, values canonical) or throws PolicySpecError. */
export function validatePolicySpec<T extends PolicyType>(type: T, spec: unknown): PolicySpecByType[T] {
  const schema = SCHEMAS[type] as z.ZodType<PolicySpecByType[T]> | undefined;
  if (!schema) throw new PolicySpecError([{ path: 'type', message: `Unknown policy type "${String(type)}"` }]);
  const result = schema.safeParse(spec, { error: (issue) => (issue.input === undefined ? 'Required' : undefined) });
  if (result.success) return result.data;
  throw new PolicySpecError(result.error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message })));
}

/** ['bindings', 0, 'role'] → 'spec.bindings[0].role'. */
function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = 'spec';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else if (typeof part === 'string' && /^[A-Za-z_$][\w$]*$/.test(part)) out += `.${part}`;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

function unique(items: readonly string[]): boolean {
  return new Set(items).size === items.length;
}
