import { useCallback, useState } from 'react';
import { useMutation, useQuery } from 'urql';
import { ClusterGroups, RunComplianceScan, ScanDetail, Scans } from '../api/operations';
import { isRunning, type ClusterGroupsResult, type ScanDetailResult, type ScanRow, type ScansResult } from '../api/types';
import { canOperate } from '../app/roles';
import { navigate } from '../app/router';
import { useSession } from '../app/session.context';
import { formatTime } from '../components/format';
import { Link } from '../components/link.component';
import { ErrorNote, Loading } from '../components/notices.component';
import { usePolling } from '../components/polling';
import { StatusBadge, humanize } from '../components/status.component';
import { Title } from '../components/title.component';

const PAGE_SIZE = 20;

function Progress({ scan }: { scan: ScanRow }) {
  const done = scan.completedCount + scan.failedCount;
  return (
    <span className="progress-line">
      <progress max={Math.max(1, scan.clusterCount)} value={done} aria-label={`Scan progress: ${done} of ${scan.clusterCount} clusters`} />
      <span>
        {done} / {scan.clusterCount}
        {scan.failedCount ? ` (${scan.failedCount} failed)` : ''}
      </span>
    </span>
  );
}

export function ScansPage() {
  const { role } = useSession();
  const [after, setAfter] = useState<string | null>(null);
  const [{ data, error }, refetch] = useQuery<ScansResult>({ query: Scans, variables: { first: PAGE_SIZE, after } });
  const [{ data: groups }] = useQuery<ClusterGroupsResult>({ query: ClusterGroups, pause: !canOperate(role) });
  const [run, runScan] = useMutation(RunComplianceScan);
  const [group, setGroup] = useState('');
  const scans = data?.scans;
  usePolling(
    !!scans?.edges.some((e) => isRunning(e.node.status)),
    useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]),
  );
  const start = async () => {
    const r = await runScan({ input: group ? { groupId: group } : {} });
    const id = (r.data as { runComplianceScan?: { id: string } } | undefined)?.runComplianceScan?.id;
    if (id) navigate(`/scans/${id}`);
  };
  return (
    <>
      <Title text="Compliance scans">Compliance scans</Title>
      {canOperate(role) && (
        <div className="inline-form">
          <div className="field">
            <label htmlFor="scan-group">Clusters to scan</label>
            <select id="scan-group" value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">The whole fleet</option>
              {groups?.clusterGroups.map((g) => (
                <option key={g.id} value={g.id}>
                  Group {g.name} ({g.clusterCount})
                </option>
              ))}
            </select>
          </div>
          <button type="button" onClick={start} disabled={run.fetching}>
            Run compliance scan
          </button>
        </div>
      )}
      <ErrorNote error={run.error ?? error} />
      {!scans ? (
        !error && <Loading what="scans" />
      ) : scans.totalCount === 0 ? (
        <p className="muted">No scan has run yet.</p>
      ) : (
        <>
          <table>
            <caption className="visually-hidden">Compliance scans, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Started</th>
                <th scope="col">Trigger</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Finished</th>
              </tr>
            </thead>
            <tbody>
              {scans.edges.map(({ node: s }) => (
                <tr key={s.id}>
                  <th scope="row">
                    <Link href={`/scans/${s.id}`}>{formatTime(s.startedAt)}</Link>
                  </th>
                  <td>{humanize(s.trigger)}</td>
                  <td>
                    <StatusBadge value={s.status} />
                  </td>
                  <td>
                    <Progress scan={s} />
                  </td>
                  <td>{formatTime(s.finishedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of scans">
            <button type="button" className="secondary" disabled={!after} onClick={() => setAfter(null)}>
              Newest
            </button>
            <button type="button" className="secondary" disabled={!scans.pageInfo.hasNextPage} onClick={() => setAfter(scans.pageInfo.endCursor)}>
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}

/** One scan, refreshed every second while it runs: the progress bar moves as clusters report. */
export function ScanDetailPage({ id }: { id: string }) {
  const [{ data, error }, refetch] = useQuery<ScanDetailResult>({ query: ScanDetail, variables: { id } });
  const scan = data?.scan;
  usePolling(
    isRunning(scan?.status),
    useCallback(() => refetch({ requestPolicy: 'network-only' }), [refetch]),
  );
  if (error) return <ErrorNote error={error} />;
  if (!data) return <Loading what="the scan" />;
  if (!scan)
    return (
      <>
        <Title text="Scan not found">Scan not found</Title>
        <p>
          <Link href="/scans">Back to the scans</Link>
        </p>
      </>
    );
  return (
    <>
      <p className="breadcrumb">
        <Link href="/scans">Scans</Link> /
      </p>
      <Title text="Compliance scan">
        Compliance scan <StatusBadge value={scan.status} />
      </Title>
      <section className="card" aria-labelledby="scan-progress">
        <h2 id="scan-progress">Progress</h2>
        <div role="status" aria-live="polite" data-testid="scan-status" data-status={scan.status}>
          <Progress scan={scan} />
          <p>
            {isRunning(scan.status)
              ? `${humanize(scan.status)}: ${scan.completedCount + scan.failedCount} of ${scan.clusterCount} clusters checked.`
              : `${humanize(scan.status)} at ${formatTime(scan.finishedAt)}.`}
          </p>
        </div>
        <dl className="facts">
          <dt>Trigger</dt>
          <dd>{humanize(scan.trigger)}</dd>
          <dt>Started</dt>
          <dd>{formatTime(scan.startedAt)}</dd>
          <dt>Finished</dt>
          <dd>{formatTime(scan.finishedAt)}</dd>
        </dl>
      </section>
      {scan.summary && (
        <section className="card" aria-labelledby="scan-summary">
          <h2 id="scan-summary">Result</h2>
          <dl className="stats">
            <div>
              <dt>Compliant</dt>
              <dd>{scan.summary.compliant}</dd>
            </div>
            <div>
              <dt>Non-compliant</dt>
              <dd>
                {scan.summary.nonCompliant > 0 ? <Link href="/clusters?compliance=NON_COMPLIANT">{scan.summary.nonCompliant}</Link> : 0}
              </dd>
            </div>
            <div>
              <dt>Could not check</dt>
              <dd>{scan.summary.errored}</dd>
            </div>
            <div>
              <dt>Violations</dt>
              <dd data-testid="scan-violations">{scan.summary.violations}</dd>
            </div>
          </dl>
        </section>
      )}
    </>
  );
}
