import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import {
  ClusterCompliance,
  ClusterComplianceHistory,
  ClusterDetail,
  ClusterExemptions,
  ClusterInspections,
  ClusterUpgrades,
  InspectionDetail,
  RunComplianceScan,
  RunInspection,
  StartUpgrade,
} from '../api/operations';
import {
  INSPECTION_KINDS,
  isRunning,
  type ClusterComplianceHistoryResult,
  type ClusterComplianceResult,
  type ClusterDetailResult,
  type ClusterExemptionsResult,
  type ExemptedViolation,
  type ClusterInspectionsResult,
  type ClusterUpgradesResult,
  type InspectionDetailResult,
  type InspectionKind,
  type Violation,
} from '../api/types';
import { canOperate } from '../app/roles';
import { navigate } from '../app/router';
import { useSession } from '../app/session.context';
import { formatAgo, formatTime } from '../components/format';
import { Link } from '../components/link.component';
import { ErrorNote, Loading } from '../components/notices.component';
import { usePolling } from '../components/polling';
import { StatusBadge, humanize, providerLabel } from '../components/status.component';
import { Title } from '../components/title.component';

export function ClusterDetailPage({ id }: { id: string }) {
  const [{ data, error }] = useQuery<ClusterDetailResult>({ query: ClusterDetail, variables: { id } });
  const cluster = data?.cluster;
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the cluster" />;
  if (!cluster)
    return (
      <>
        <Title text="Cluster not found">Cluster not found</Title>
        <p>
          No cluster with this id in your organization. <Link href="/clusters">Back to the clusters</Link>
        </p>
      </>
    );
  return (
    <>
      <p className="breadcrumb">
        <Link href="/clusters">Clusters</Link> /
      </p>
      <Title text={cluster.name}>
        {cluster.name} <StatusBadge value={cluster.status} />
      </Title>
      {cluster.statusReason && (
        <p className={`notice ${cluster.status === 'CONNECTED' ? '' : 'notice-error'}`} data-testid="status-reason">
          <strong>Why {humanize(cluster.status).toLowerCase()}:</strong> {cluster.statusReason}
        </p>
      )}
      <section className="card" aria-labelledby="connection">
        <h2 id="connection">Connection and nodes</h2>
        <dl className="facts">
          <dt>Provider</dt>
          <dd>{providerLabel(cluster.provider)}</dd>
          <dt>Region</dt>
          <dd>{cluster.region ?? '—'}</dd>
          <dt>API server</dt>
          <dd>
            <code>{cluster.apiServerUrl}</code>
          </dd>
          <dt>Nodes ready</dt>
          <dd>
            {cluster.readyNodeCount} of {cluster.nodeCount}
          </dd>
          <dt>Last seen</dt>
          <dd>{cluster.lastSeenAt ? `${formatAgo(cluster.lastSeenAt)} (${formatTime(cluster.lastSeenAt)})` : 'never'}</dd>
          <dt>Attached</dt>
          <dd>{formatTime(cluster.attachedAt)}</dd>
          <dt>Group</dt>
          <dd>{cluster.group?.name ?? '—'}</dd>
          <dt>Labels</dt>
          <dd>
            {cluster.labels.length === 0
              ? '—'
              : cluster.labels.map((l) => (
                  <span key={l.key} className="chip">
                    {l.key}={l.value}
                  </span>
                ))}
          </dd>
        </dl>
      </section>
      <UpgradesSection id={id} />
      <ComplianceSection id={id} />
      <ComplianceHistorySection id={id} />
      <InspectionsSection id={id} />
    </>
  );
}

function UpgradesSection({ id }: { id: string }) {
  const { role } = useSession();
  const [{ data, error }, refetch] = useQuery<ClusterUpgradesResult>({ query: ClusterUpgrades, variables: { id } });
  const [started, start] = useMutation(StartUpgrade);
  const [target, setTarget] = useState('');
  const [confirming, setConfirming] = useState(false);
  const c = data?.cluster;
  const upgrades = c?.upgrades.edges.map((e) => e.node) ?? [];
  usePolling(
    upgrades.some((u) => isRunning(u.status)),
    useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]),
    1500,
  );
  if (!c) return error ? <ErrorNote error={error} /> : null;
  const chosen = target || c.availableUpgrades[0] || '';
  const submit = async () => {
    setConfirming(false);
    const r = await start({ input: { clusterId: id, targetVersion: chosen } });
    if (!r.error) refetch({ requestPolicy: 'network-only' });
  };
  return (
    <section className="card" aria-labelledby="upgrades">
      <h2 id="upgrades">Version and upgrades</h2>
      <p>
        Running <strong>{c.kubernetesVersion ?? 'an unknown version'}</strong>.{' '}
        {c.availableUpgrades.length === 0
          ? 'No upgrade on offer: Cluster API does not manage this cluster, or it already runs the newest release its management cluster offers.'
          : `On offer: ${c.availableUpgrades.join(', ')}.`}
      </p>
      {canOperate(role) && c.availableUpgrades.length > 0 && (
        <div className="inline-form">
          <div className="field">
            <label htmlFor="upgrade-target">Upgrade to</label>
            <select id="upgrade-target" value={chosen} onChange={(e) => setTarget(e.target.value)}>
              {c.availableUpgrades.map((v) => (
                <option key={v}>{v}</option>
              ))}
            </select>
          </div>
          {!confirming ? (
            <button type="button" onClick={() => setConfirming(true)} disabled={started.fetching}>
              Start upgrade
            </button>
          ) : (
            <span role="group" aria-label="Confirm the upgrade">
              <span>
                Upgrade from {c.kubernetesVersion} to {chosen}?{' '}
              </span>
              <button type="button" onClick={submit} autoFocus>
                Confirm upgrade
              </button>{' '}
              <button type="button" className="secondary" onClick={() => setConfirming(false)}>
                Cancel
              </button>
            </span>
          )}
        </div>
      )}
      <ErrorNote error={started.error} />
      {upgrades.length > 0 && (
        <table>
          <caption className="visually-hidden">Recent upgrades</caption>
          <thead>
            <tr>
              <th scope="col">From → to</th>
              <th scope="col">Status</th>
              <th scope="col">Phase</th>
              <th scope="col">Started</th>
              <th scope="col">Finished</th>
              <th scope="col">Why it failed</th>
            </tr>
          </thead>
          <tbody data-testid="upgrades">
            {upgrades.map((u) => (
              <tr key={u.id}>
                <td>
                  {u.fromVersion} → {u.toVersion}
                </td>
                <td>
                  <StatusBadge value={u.status} />
                </td>
                <td>{u.phase ? humanize(u.phase) : '—'}</td>
                <td>{formatTime(u.startedAt)}</td>
                <td>{formatTime(u.finishedAt)}</td>
                <td className="wrap">{u.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function ComplianceSection({ id }: { id: string }) {
  const { role } = useSession();
  const [{ data, error }] = useQuery<ClusterComplianceResult>({ query: ClusterCompliance, variables: { id } });
  const [{ data: exemptions }] = useQuery<ClusterExemptionsResult>({ query: ClusterExemptions, variables: { id } });
  const exemptedByPolicy = new Map((exemptions?.cluster?.policyResults ?? []).map((r) => [r.policy.id, r.exempted]));
  const [scan, runScan] = useMutation(RunComplianceScan);
  const c = data?.cluster;
  if (!c) return error ? <ErrorNote error={error} /> : null;
  const scanNow = async () => {
    const r = await runScan({ input: { clusterIds: [id] } });
    const scanId = (r.data as { runComplianceScan?: { id: string } } | undefined)?.runComplianceScan?.id;
    if (scanId) navigate(`/scans/${scanId}`);
  };
  return (
    <section className="card" aria-labelledby="compliance">
      <h2 id="compliance">Compliance</h2>
      <p>
        <StatusBadge value={c.compliance.status} /> {c.compliance.violationCount} violation{c.compliance.violationCount === 1 ? '' : 's'}
        {c.compliance.checkedAt ? `, checked ${formatAgo(c.compliance.checkedAt)}` : ', never checked'}.{' '}
        {canOperate(role) && (
          <button type="button" className="secondary" onClick={scanNow} disabled={scan.fetching}>
            Scan this cluster now
          </button>
        )}
      </p>
      <ErrorNote error={scan.error} />
      {c.policyResults.length === 0 ? (
        <p className="muted">No policy results yet: no scan has checked this cluster.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Policy results</caption>
          <thead>
            <tr>
              <th scope="col">Policy</th>
              <th scope="col">Type</th>
              <th scope="col">Mode</th>
              <th scope="col">Result</th>
              <th scope="col">Violations</th>
              <th scope="col">Exempted</th>
            </tr>
          </thead>
          <tbody data-testid="policy-results">
            {c.policyResults.map((r) => (
              <tr key={r.policy.id}>
                <th scope="row">{r.policy.name}</th>
                <td>{humanize(r.policy.type)}</td>
                <td>{humanize(r.policy.mode)}</td>
                <td>
                  <StatusBadge value={r.status} />
                </td>
                <td className="wrap">
                  {r.violations.length === 0 ? (
                    'none'
                  ) : (
                    <Violations violations={r.violations} />
                  )}
                </td>
                <td className="wrap">
                  <Exempted exempted={exemptedByPolicy.get(r.policy.id) ?? []} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** Violations an approved exception waives: shown (with the exception), never hidden, not counted. */
function Exempted({ exempted }: { exempted: ExemptedViolation[] }) {
  if (exempted.length === 0) return <>none</>;
  return (
    <details data-testid="exempted-violations">
      <summary>
        {exempted.length} exempted
      </summary>
      <ul className="violations">
        {exempted.map((v, i) => (
          <li key={i}>
            <code>
              {v.kind} {v.namespace ? `${v.namespace}/` : ''}
              {v.name}
            </code>
            : {v.message} <span className="muted">(exception {v.exceptionId.slice(0, 8)})</span>
          </li>
        ))}
      </ul>
    </details>
  );
}

const HISTORY_DAYS = 30;

/** The changes of each policy's result on this cluster over the last 30 days, newest first. */
function ComplianceHistorySection({ id }: { id: string }) {
  const [range] = useState(() => ({ from: new Date(Date.now() - HISTORY_DAYS * 86_400_000).toISOString(), to: new Date(Date.now() + 60_000).toISOString() }));
  const [{ data, error }] = useQuery<ClusterComplianceHistoryResult>({ query: ClusterComplianceHistory, variables: { id, ...range } });
  const changes = [...(data?.cluster?.complianceHistory ?? [])].reverse();
  return (
    <section className="card" aria-labelledby="compliance-history">
      <h2 id="compliance-history">Compliance history, last {HISTORY_DAYS} days</h2>
      <ErrorNote error={error} />
      {!data ? (
        !error && <Loading what="the compliance history" />
      ) : changes.length === 0 ? (
        <p className="muted">No changes in the last {HISTORY_DAYS} days.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Changes of policy results</caption>
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Policy</th>
              <th scope="col">Result</th>
              <th scope="col" className="num">
                Violations
              </th>
            </tr>
          </thead>
          <tbody data-testid="compliance-history">
            {changes.map((h, i) => (
              <tr key={i}>
                <td>{formatTime(h.at)}</td>
                <th scope="row">{h.policyName}</th>
                <td>
                  <StatusBadge value={h.status} />
                </td>
                <td className="num">{h.violationCount}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

const VIOLATIONS_SHOWN = 20;

/** Every violation names the object and what is wrong; a long list opens 20 at a time. */
function Violations({ violations }: { violations: Violation[] }) {
  const [shown, setShown] = useState(VIOLATIONS_SHOWN);
  return (
    <details>
      <summary>
        {violations.length} violation{violations.length === 1 ? '' : 's'}
      </summary>
      <ul className="violations">
        {violations.slice(0, shown).map((v, i) => (
          <li key={i}>
            <code>
              {v.kind} {v.namespace ? `${v.namespace}/` : ''}
              {v.name}
            </code>
            : {v.message}
          </li>
        ))}
      </ul>
      {violations.length > shown && (
        <button type="button" className="link" onClick={() => setShown(shown + 100)}>
          Show {Math.min(100, violations.length - shown)} more of {violations.length - shown} not shown
        </button>
      )}
    </details>
  );
}

function InspectionsSection({ id }: { id: string }) {
  const { role } = useSession();
  const [{ data, error }, refetch] = useQuery<ClusterInspectionsResult>({ query: ClusterInspections, variables: { id } });
  const [run, runInspection] = useMutation(RunInspection);
  const [kind, setKind] = useState<InspectionKind>('CONFORMANCE_LITE');
  const [open, setOpen] = useState<string | null>(null);
  const inspections = data?.cluster?.inspections.edges.map((e) => e.node) ?? [];
  usePolling(
    inspections.some((i) => isRunning(i.status)),
    useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]),
  );
  if (!data?.cluster) return error ? <ErrorNote error={error} /> : null;
  const submit = async () => {
    const r = await runInspection({ input: { clusterId: id, kind } });
    if (!r.error) refetch({ requestPolicy: 'network-only' });
  };
  return (
    <section className="card" aria-labelledby="inspections">
      <h2 id="inspections">Inspections</h2>
      {canOperate(role) && (
        <div className="inline-form">
          <div className="field">
            <label htmlFor="inspection-kind">Kind</label>
            <select id="inspection-kind" value={kind} onChange={(e) => setKind(e.target.value as InspectionKind)}>
              {INSPECTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {humanize(k)}
                </option>
              ))}
            </select>
          </div>
          <button type="button" onClick={submit} disabled={run.fetching}>
            Run inspection
          </button>
        </div>
      )}
      <ErrorNote error={run.error} />
      {inspections.length === 0 ? (
        <p className="muted">No inspection has run on this cluster.</p>
      ) : (
        <table>
          <caption className="visually-hidden">Recent inspections</caption>
          <thead>
            <tr>
              <th scope="col">Kind</th>
              <th scope="col">Status</th>
              <th scope="col" className="num">
                Passed
              </th>
              <th scope="col" className="num">
                Failed
              </th>
              <th scope="col" className="num">
                Warnings
              </th>
              <th scope="col">Finished</th>
              <th scope="col">
                <span className="visually-hidden">Checks</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {inspections.map((i) => (
              <tr key={i.id}>
                <td>{humanize(i.kind)}</td>
                <td>
                  <StatusBadge value={i.status} />
                </td>
                <td className="num">{i.passed}</td>
                <td className="num">{i.failed}</td>
                <td className="num">{i.warnings}</td>
                <td>{formatTime(i.finishedAt)}</td>
                <td>
                  <button type="button" className="link" aria-expanded={open === i.id} onClick={() => setOpen(open === i.id ? null : i.id)}>
                    {open === i.id ? 'Hide checks' : 'Show checks'}
                    <span className="visually-hidden"> of the {humanize(i.kind)} inspection</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {open && <InspectionChecks id={open} />}
    </section>
  );
}

function InspectionChecks({ id }: { id: string }) {
  const [{ data, error }] = useQuery<InspectionDetailResult>({ query: InspectionDetail, variables: { id } });
  const inspection = data?.inspection;
  if (!inspection) return error ? <ErrorNote error={error} /> : <Loading what="the checks" />;
  return (
    <table>
      <caption>Checks of the {humanize(inspection.kind)} inspection</caption>
      <thead>
        <tr>
          <th scope="col">Check</th>
          <th scope="col">Severity</th>
          <th scope="col">Outcome</th>
          <th scope="col">Message</th>
        </tr>
      </thead>
      <tbody>
        {inspection.checks.map((c) => (
          <tr key={c.id}>
            <th scope="row">{c.title}</th>
            <td>{humanize(c.severity)}</td>
            <td>
              <StatusBadge value={c.outcome} />
            </td>
            <td className="wrap">{c.message ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
