import { asArray, asRecord, type KubeObject } from '../kube-object';
import type { PolicyContext } from '../policy-handler';
import type { AccessSpec } from '../policy-spec.schema';
import type { SnapshotKind, Violation } from '../policy.types';
import type { SnapshotView } from '../snapshot-view';

export type AccessSubject = AccessSpec['bindings'][number]['subjects'][number];

/** One required grant: a ClusterRole bound to subjects, cluster-wide or in one namespace. */
export interface AccessGrant {
  role: string;
  namespace?: string;
  subjects: AccessSubject[];
  missing: AccessSubject[];
}

export function accessKinds(spec: AccessSpec): SnapshotKind[] {
  const kinds: SnapshotKind[] = ['ClusterRole'];
  if (spec.bindings.some((b) => !b.namespaces)) kinds.push('ClusterRoleBinding');
  if (spec.bindings.some((b) => b.namespaces)) kinds.push('Namespace', 'RoleBinding');
  return kinds;
}

/** Every (role, namespace?) the spec requires, with the subjects no existing binding grants. */
export function accessGrants(spec: AccessSpec, snapshot: SnapshotView): AccessGrant[] {
  const required = new Map<string, AccessGrant>();
  for (const binding of spec.bindings) {
    for (const namespace of binding.namespaces ?? [undefined]) {
      const key = `${namespace ?? ''}\0${binding.role}`;
      const grant = required.get(key) ?? { role: binding.role, namespace, subjects: [], missing: [] };
      for (const subject of binding.subjects) {
        if (!grant.subjects.some((s) => subjectKey(s) === subjectKey(subject))) grant.subjects.push(subject);
      }
      required.set(key, grant);
    }
  }
  for (const grant of required.values()) {
    const bindings = grant.namespace ? snapshot.inNamespace('RoleBinding', grant.namespace) : snapshot.list('ClusterRoleBinding');
    const granted = grantedSubjects(bindings, grant.role);
    grant.missing = grant.subjects.filter((s) => !granted.has(subjectKey(s)));
  }
  return [...required.values()];
}

export function evaluateAccess(context: PolicyContext<AccessSpec>): Violation[] {
  return accessFindings(context).map(({ violation }) => violation);
}

/** Violations, each marked with whether a binding Flotilla creates would fix it. */
export function accessFindings({ spec, snapshot }: PolicyContext<AccessSpec>): Array<{ violation: Violation; enforceable: boolean }> {
  const findings: Array<{ violation: Violation; enforceable: boolean }> = [];
  const report = (violation: Violation, enforceable: boolean) => findings.push({ violation, enforceable });
  const namespaces = spec.bindings.some((b) => b.namespaces) ? new Set(snapshot.activeNamespaces()) : new Set<string>();
  const roles = new Set(snapshot.list('ClusterRole').map((r) => r.metadata.name));
  for (const role of new Set(spec.bindings.map((b) => b.role))) {
    if (!roles.has(role)) {
      report({ kind: 'ClusterRole', name: role, message: `ClusterRole "${role}" does not exist, so bindings to it grant nothing` }, false);
    }
  }
  for (const grant of accessGrants(spec, snapshot)) {
    if (grant.missing.length === 0) continue;
    const who = grant.missing.map(describeSubject).join(', ');
    if (!grant.namespace) {
      report(
        {
          kind: 'ClusterRole',
          name: grant.role,
          message: `ClusterRole "${grant.role}" is not granted cluster-wide to ${who}: no ClusterRoleBinding binds it to ${grant.missing.length === 1 ? 'this subject' : 'these subjects'}`,
        },
        true,
      );
    } else if (!namespaces.has(grant.namespace)) {
      report(
        { kind: 'Namespace', name: grant.namespace, message: `namespace does not exist (or is being deleted), so ClusterRole "${grant.role}" cannot be granted in it to ${who}` },
        false,
      );
    } else {
      report(
        {
          kind: 'Namespace',
          name: grant.namespace,
          message: `ClusterRole "${grant.role}" is not granted in this namespace to ${who}: no RoleBinding here binds it to ${grant.missing.length === 1 ? 'this subject' : 'these subjects'}`,
        },
        true,
      );
    }
  }
  return findings;
}

function grantedSubjects(bindings: KubeObject[], role: string): Set<string> {
  const granted = new Set<string>();
  for (const binding of bindings) {
    const roleRef = asRecord(binding.roleRef);
    // A RoleBinding to a namespaced Role of the same name grants something else.
    if (roleRef?.kind !== 'ClusterRole' || roleRef.name !== role) continue;
    for (const subject of asArray(binding.subjects)) {
      const s = asRecord(subject);
      if (s && typeof s.kind === 'string' && typeof s.name === 'string') granted.add(subjectKey(s as AccessSubject));
    }
  }
  return granted;
}

function subjectKey(subject: { kind: string; name: string; namespace?: string }): string {
  return subject.kind === 'ServiceAccount' ? `ServiceAccount\0${subject.namespace ?? ''}\0${subject.name}` : `${subject.kind}\0${subject.name}`;
}

function describeSubject(subject: AccessSubject): string {
  return subject.kind === 'ServiceAccount' ? `ServiceAccount "${subject.namespace}/${subject.name}"` : `${subject.kind} "${subject.name}"`;
}
