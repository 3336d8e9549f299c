import { useState, type FormEvent } from 'react';
import { useMutation, useQuery } from 'urql';
import { parse, stringify } from 'yaml';
import { ClusterGroups, CreatePolicy, DeletePolicy, Policies, UpdatePolicy } from '../api/operations';
import { POLICY_TYPES, type ClusterGroupsResult, type PoliciesResult, type Policy, type PolicyMode, type PolicyScopeKind, type PolicyType } from '../api/types';
import { fieldErrors, type FieldError } from '../app/graphql.client';
import { canAdminister } from '../app/roles';
import { useSession } from '../app/session.context';
import { formatTime } from '../components/format';
import { ErrorNote, Loading } from '../components/notices.component';
import { humanize } from '../components/status.component';
import { Title } from '../components/title.component';

/** A starting spec per type (libs/policy/README.md has every shape). */
const TEMPLATES: Record<PolicyType, string> = {
  ACCESS: 'bindings:\n  - role: view\n    subjects:\n      - { kind: Group, name: auditors }\n',
  NETWORK: 'defaultDeny: ingress\n',
  QUOTA: 'hard:\n  requests.cpu: "4"\n  limits.memory: 8Gi\n',
  IMAGE_REGISTRY: 'allowedRegistries:\n  - registry.example.com\n',
  SECURITY: 'level: baseline\nversion: latest\n',
  LABELS: 'kinds: [Namespace]\nrequired: [owner]\n',
  CUSTOM:
    'matchConstraints:\n  resourceRules: [{ apiGroups: [apps], kinds: [Deployment] }]\nvalidations:\n  - expression: "object.spec.replicas <= 5"\n    message: at most 5 replicas\n',
};

const POLICY_CONTEXT = { additionalTypenames: ['Policy'] };

/** The policy as `flotilla policy apply -f` takes it. */
function policyYaml(p: Policy): string {
  const scope = p.scope.kind === 'GROUP' ? { kind: 'GROUP', group: p.scope.group?.name } : p.scope.kind === 'CLUSTER' ? { kind: 'CLUSTER', cluster: p.scope.cluster?.name } : undefined;
  return stringify({ name: p.name, type: p.type, mode: p.mode, ...(scope ? { scope } : {}), spec: p.spec });
}

function scopeText(p: Policy): string {
  if (p.scope.kind === 'GROUP') return `group ${p.scope.group?.name ?? '?'}`;
  if (p.scope.kind === 'CLUSTER') return `cluster ${p.scope.cluster?.name ?? '?'}`;
  return 'organization';
}

export default function PoliciesPage() {
  const { role } = useSession();
  // An empty list holds no Policy for the cache to notice: name the type, so a created one refreshes it.
  const [{ data, error }] = useQuery<PoliciesResult>({ query: Policies, context: POLICY_CONTEXT });
  const [selected, setSelected] = useState<string | null>(null);
  const [editing, setEditing] = useState<Policy | 'new' | null>(null);
  const admin = canAdminister(role);
  const policies = data?.policies;
  const current = policies?.find((p) => p.id === selected);
  return (
    <>
      <Title text="Policies">Policies</Title>
      {admin && !editing && (
        <p>
          <button type="button" onClick={() => setEditing('new')}>
            New policy
          </button>
        </p>
      )}
      {editing && <PolicyForm policy={editing === 'new' ? null : editing} onDone={(id) => (setEditing(null), id && setSelected(id))} />}
      <ErrorNote error={error} />
      {!policies ? (
        !error && <Loading what="policies" />
      ) : policies.length === 0 ? (
        <p className="muted">No policies yet.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Policies</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Type</th>
              <th scope="col">Mode</th>
              <th scope="col">Scope</th>
              <th scope="col">Created</th>
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {policies.map((p) => (
              <tr key={p.id} className={p.id === selected ? "selected" : undefined}>
                <th scope="row">{p.name}</th>
                <td>{humanize(p.type)}</td>
                <td>{humanize(p.mode)}</td>
                <td>{scopeText(p)}</td>
                <td>{formatTime(p.createdAt)}</td>
                <td>
                  <button type="button" className="link" aria-expanded={p.id === selected} onClick={() => setSelected(p.id === selected ? null : p.id)}>
                    {p.id === selected ? 'Hide' : 'Show'} YAML<span className="visually-hidden"> of {p.name}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {current && <PolicyView policy={current} admin={admin} onEdit={() => setEditing(current)} onDeleted={() => setSelected(null)} />}
    </>
  );
}

function PolicyView({ policy, admin, onEdit, onDeleted }: { policy: Policy; admin: boolean; onEdit: () => void; onDeleted: () => void }) {
  const [deleted, deletePolicy] = useMutation(DeletePolicy);
  const [confirming, setConfirming] = useState(false);
  const remove = async () => {
    const r = await deletePolicy({ id: policy.id }, { additionalTypenames: ['Policy'] });
    if (!r.error) onDeleted();
  };
  return (
    <section className="card" aria-labelledby="policy-yaml">
      <h2 id="policy-yaml">{policy.name}</h2>
      <pre className="yaml" tabIndex={0} aria-label={`YAML of ${policy.name}`}>
        {policyYaml(policy)}
      </pre>
      {admin && (
        <p>
          <button type="button" onClick={onEdit}>
            Edit
          </button>{' '}
          {!confirming ? (
            <button type="button" className="danger" onClick={() => setConfirming(true)}>
              Delete
            </button>
          ) : (
            <>
              <span>Delete {policy.name}? Its results go with it. </span>
              <button type="button" className="danger" onClick={remove} disabled={deleted.fetching}>
                Confirm delete
              </button>{' '}
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Keep it
              </button>
            </>
          )}
        </p>
      )}
      <ErrorNote error={deleted.error} />
    </section>
  );
}

type FieldName = 'name' | 'type' | 'mode' | 'scope' | 'spec' | 'form';

/** The API names the input field at fault (`input.spec.level`); the form shows it on that field. */
function byField(errors: FieldError[]): Partial<Record<FieldName, string>> {
  const out: Partial<Record<FieldName, string>> = {};
  for (const e of errors) {
    const m = /^input\.(name|type|mode|scope|spec)\b/.exec(e.field ?? '');
    const key: FieldName = m ? (m[1] as FieldName) : 'form';
    // "input.spec.level: …" reads "spec.level: …" beside the form's own field.
    const message = e.message.replace(/^input\./, '');
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  }
  return out;
}

function PolicyForm({ policy, onDone }: { policy: Policy | null; onDone: (id?: string) => void }) {
  const [name, setName] = useState(policy?.name ?? '');
  const [type, setType] = useState<PolicyType>(policy?.type ?? 'NETWORK');
  const [mode, setMode] = useState<PolicyMode>(policy?.mode ?? 'AUDIT');
  const [scopeKind, setScopeKind] = useState<PolicyScopeKind>('ORGANIZATION');
  const [groupId, setGroupId] = useState('');
  const [clusterId, setClusterId] = useState('');
  const [spec, setSpec] = useState(policy ? stringify(policy.spec) : TEMPLATES.NETWORK);
  const [errors, setErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [created, create] = useMutation(CreatePolicy);
  const [updated, update] = useMutation(UpdatePolicy);
  const [{ data: groups }] = useQuery<ClusterGroupsResult>({ query: ClusterGroups, pause: !!policy });
  const busy = created.fetching || updated.fetching;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    let parsedSpec: unknown;
    try {
      parsedSpec = parse(spec);
    } catch (err) {
      setErrors({ spec: `not valid YAML: ${(err as Error).message.split('\n')[0]}` });
      return;
    }
    const scope = { kind: scopeKind, ...(scopeKind === 'GROUP' ? { groupId: groupId || null } : {}), ...(scopeKind === 'CLUSTER' ? { clusterId: clusterId.trim() || null } : {}) };
    const r = policy
      ? await update({ id: policy.id, input: { name, mode, spec: parsedSpec } })
      : await create({ input: { name, type, mode, scope, spec: parsedSpec } }, { additionalTypenames: ['Policy'] });
    if (r.error) {
      setErrors(byField(fieldErrors(r.error)));
      return;
    }
    const data = r.data as { createPolicy?: { id: string }; updatePolicy?: { id: string } };
    onDone(data.createPolicy?.id ?? data.updatePolicy?.id);
  };

  const described = (field: FieldName, help?: string) => {
    const ids = [help ? `p-${field}-help` : '', errors[field] ? `p-${field}-error` : ''].filter(Boolean).join(' ');
    return { 'aria-invalid': errors[field] ? true : undefined, 'aria-describedby': ids || undefined };
  };
  const fieldError = (field: FieldName) =>
    errors[field] ? (
      <p id={`p-${field}-error`} className="field-error">
        {errors[field]}
      </p>
    ) : null;

  return (
    <form className="card policy-form" onSubmit={submit} aria-labelledby="policy-form-title" noValidate>
      <h2 id="policy-form-title">{policy ? `Edit ${policy.name}` : 'New policy'}</h2>
      {errors.form && (
        <p className="notice notice-error" role="alert">
          {errors.form}
        </p>
      )}
      <div className="field">
        <label htmlFor="p-name">Name</label>
        <input id="p-name" value={name} onChange={(e) => setName(e.target.value)} required {...described('name')} />
        {fieldError('name')}
      </div>
      <div className="field">
        <label htmlFor="p-type">Type</label>
        <select
          id="p-type"
          value={type}
          disabled={!!policy}
          onChange={(e) => {
            const t = e.target.value as PolicyType;
            if (spec === TEMPLATES[type]) setSpec(TEMPLATES[t]);
            setType(t);
          }}
          {...described('type')}
        >
          {POLICY_TYPES.map((t) => (
            <option key={t} value={t}>
              {humanize(t)}
            </option>
          ))}
        </select>
        {fieldError('type')}
      </div>
      <div className="field">
        <label htmlFor="p-mode">Mode</label>
        <select id="p-mode" value={mode} onChange={(e) => setMode(e.target.value as PolicyMode)} {...described('mode')}>
          <option value="AUDIT">Audit (report only)</option>
          <option value="ENFORCE">Enforce (also fix what objects can fix)</option>
        </select>
        {fieldError('mode')}
      </div>
      {!policy && (
        <fieldset className="field" aria-describedby={errors.scope ? 'p-scope-error' : undefined}>
          <legend>Scope</legend>
          <label htmlFor="p-scope">Applies to</label>
          <select id="p-scope" value={scopeKind} onChange={(e) => setScopeKind(e.target.value as PolicyScopeKind)} aria-invalid={errors.scope ? true : undefined}>
            <option value="ORGANIZATION">The whole organization</option>
            <option value="GROUP">A cluster group</option>
            <option value="CLUSTER">One cluster</option>
          </select>
          {scopeKind === 'GROUP' && (
            <>
              <label htmlFor="p-group">Group</label>
              <select id="p-group" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
                <option value="">Choose a group</option>
                {groups?.clusterGroups.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </>
          )}
          {scopeKind === 'CLUSTER' && (
            <>
              <label htmlFor="p-cluster">Cluster id</label>
              <input id="p-cluster" value={clusterId} onChange={(e) => setClusterId(e.target.value)} placeholder="from the cluster page's address" />
            </>
          )}
          {fieldError('scope')}
        </fieldset>
      )}
      <div className="field">
        <label htmlFor="p-spec">Spec (YAML)</label>
        <textarea id="p-spec" rows={8} spellCheck={false} value={spec} onChange={(e) => setSpec(e.target.value)} {...described('spec', 'help')} />
        <p id="p-spec-help" className="help">
          The shape depends on the type; the API checks it and names what is wrong.
        </p>
        {fieldError('spec')}
      </div>
      <p>
        <button type="submit" disabled={busy}>
          {policy ? 'Save changes' : 'Create policy'}
        </button>{' '}
        <button type="button" className="secondary" onClick={() => onDone()}>
          Cancel
        </button>
      </p>
    </form>
  );
}
