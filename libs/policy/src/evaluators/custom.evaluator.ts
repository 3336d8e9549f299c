import { isCelList, isCelMap, type CelValue } from '@bufbuild/cel';
import { compileCel, toCelInput, type CelBindings, type CelProgram } from '../cel/cel-program';
import type { KubeObject } from '../kube-object';
import type { PolicyContext } from '../policy-handler';
import type { CustomSpec } from '../policy-spec.schema';
import type { SnapshotKind, Violation } from '../policy.types';
import { SNAPSHOT_KIND_RESOURCES, matchedKinds, namespaceMatcher } from './custom-match';

export function customKinds(spec: CustomSpec): SnapshotKind[] {
  const kinds = matchedKinds(spec.matchConstraints);
  const needsNamespaces = !!spec.matchConstraints.namespaceSelector;
  return needsNamespaces && !kinds.includes('Namespace') ? ['Namespace', ...kinds] : kinds;
}

interface CompiledCustom {
  variables: Array<{ name: string; program: CelProgram }>;
  validations: Array<{ program: CelProgram; message?: string; messageProgram?: CelProgram }>;
}

const compiledSpecs = new WeakMap<CustomSpec, CompiledCustom>();

/** The spec's programs (validated, so they compile). */
function compiledOf(spec: CustomSpec): CompiledCustom {
  let c = compiledSpecs.get(spec);
  if (!c) {
    c = {
      variables: (spec.variables ?? []).map((v) => ({ name: v.name, program: compileCel(v.expression) })),
      validations: spec.validations.map((v) => ({
        program: compileCel(v.expression),
        message: v.message,
        messageProgram: v.messageExpression ? compileCel(v.messageExpression) : undefined,
      })),
    };
    compiledSpecs.set(spec, c);
  }
  return c;
}

/** What the request looks like to a policy, for an object judged as if it were being created (audit) or as admitted. */
export function admissionRequest(kind: SnapshotKind | string, object: KubeObject, operation: 'CREATE' | 'UPDATE', username = 'system:flotilla-audit'): Record<string, unknown> {
  const r = SNAPSHOT_KIND_RESOURCES[kind as SnapshotKind];
  const apiVersion = object.apiVersion ?? (r ? (r.group ? `${r.group}/${r.version}` : r.version) : '');
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return {
    kind: { group, version, kind },
    resource: { group: r?.group ?? group, version: r?.version ?? version, resource: r?.resource ?? '' },
    name: object.metadata.name,
    namespace: object.metadata.namespace ?? '',
    operation,
    userInfo: { username },
    dryRun: false,
  };
}

/**
 * Judges one object as ValidatingAdmissionPolicy does: variables in order (each may use the
 * earlier ones), then every validation; a validation that is false fails with its
 * messageExpression's result, else its message, else `failed expression: <expression>`; one that
 * errs fails with `expression '<expression>' resulted in error: <error>` (failurePolicy Fail).
 * Returns the failure messages, in validation order.
 */
export function judgeObject(spec: CustomSpec, bindings: Omit<CelBindings, 'variables'>): string[] {
  const { variables, validations } = compiledOf(spec);
  const input: CelBindings = { object: toCelInput(bindings.object), oldObject: toCelInput(bindings.oldObject), request: toCelInput(bindings.request), variables: {} };
  const failures: string[] = [];
  for (const v of variables) {
    const value = v.program.run(input);
    if (value instanceof Error) {
      failures.push(`variable '${v.name}' resulted in error: ${value.message}`);
      return failures;
    }
    input.variables = { ...input.variables, [v.name]: value };
  }
  for (const v of validations) {
    const result = v.program.run(input);
    if (result === true) continue;
    if (result instanceof Error) {
      failures.push(`expression '${v.program.expression}' resulted in error: ${result.message}`);
      continue;
    }
    if (result !== false) {
      failures.push(`expression '${v.program.expression}' resulted in error: must evaluate to bool, got ${describe(result)}`);
      continue;
    }
    failures.push(messageOf(v, input));
  }
  return failures;
}

function messageOf(v: CompiledCustom['validations'][number], input: CelBindings): string {
  if (v.messageProgram) {
    const m = v.messageProgram.run(input);
    // Upstream falls back to the static message when messageExpression errs or yields an empty string.
    if (typeof m === 'string' && m.trim() !== '' && !m.includes('\n')) return m;
  }
  return v.message ?? `failed expression: ${v.program.expression}`;
}

function describe(value: CelValue): string {
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'number') return 'double';
  if (typeof value === 'string') return 'string';
  if (value === null) return 'null';
  if (isCelList(value)) return 'list';
  if (isCelMap(value)) return 'map';
  return typeof value;
}

function apiVersionOf(kind: SnapshotKind): string {
  const r = SNAPSHOT_KIND_RESOURCES[kind];
  return r.group ? `${r.group}/${r.version}` : r.version;
}

/** Every matched object of the snapshot, judged as if it were being created now. */
export function evaluateCustom({ spec, snapshot }: PolicyContext<CustomSpec>): Violation[] {
  const inScope = namespaceMatcher(spec.matchConstraints, snapshot.has('Namespace') ? snapshot.list('Namespace') : undefined);
  const violations: Violation[] = [];
  for (const kind of matchedKinds(spec.matchConstraints)) {
    for (const object of snapshot.list(kind)) {
      if (!inScope(kind, object)) continue;
      // Items of a list carry no kind or apiVersion; the API server's admission sees both.
      const obj = object.kind && object.apiVersion ? object : { ...object, apiVersion: apiVersionOf(kind), kind };
      for (const message of judgeObject(spec, { object: obj, oldObject: null, request: admissionRequest(kind, obj, 'CREATE') })) {
        violations.push({ kind, ...(object.metadata.namespace ? { namespace: object.metadata.namespace } : {}), name: object.metadata.name, message });
      }
    }
  }
  return violations;
}
