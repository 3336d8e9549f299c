import { useState } from 'react';
import { useQuery } from 'urql';
import { ComplianceTrend, FleetCompliance, FleetOverview } from '../api/operations';
import type { ComplianceTrendResult, FleetComplianceResult, FleetOverviewResult } from '../api/types';
import { formatNumber, formatTime } from '../components/format';
import { Link } from '../components/link.component';
import { ErrorNote, Loading } from '../components/notices.component';
import { StatusBadge, humanize, providerLabel } from '../components/status.component';
import { Title } from '../components/title.component';
import { TrendChart } from '../components/trend-chart.component';

const TREND_DAYS = 30;

/** The last 30 days, one point per UTC day; the window is fixed when the page mounts. */
function ComplianceTrendCard() {
  const [range] = useState(() => ({ from: new Date(Date.now() - (TREND_DAYS - 1) * 86_400_000).toISOString(), to: new Date().toISOString() }));
  const [{ data, error }] = useQuery<ComplianceTrendResult>({ query: ComplianceTrend, variables: range });
  return (
    <section className="card" aria-labelledby="trend">
      <h2 id="trend">Compliance, last {TREND_DAYS} days</h2>
      <ErrorNote error={error} />
      {data ? <TrendChart points={data.fleetSummary.complianceTrend} /> : !error && <Loading what="the compliance trend" />}
    </section>
  );
}

function Breakdown({ title, column, rows, total, linkFor }: { title: string; column: string; rows: Array<{ label: string; count: number; value: string }>; total: number; linkFor?: (value: string) => string }) {
  return (
    <section className="card" aria-labelledby={`bd-${title}`}>
      <h2 id={`bd-${title}`}>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">No clusters yet.</p>
      ) : (
        <table className="breakdown">
          <thead>
            <tr>
              <th scope="col">{column}</th>
              <th scope="col" className="num">
                Clusters
              </th>
              <th scope="col">
                <span className="visually-hidden">Share</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.value}>
                <th scope="row">{linkFor ? <Link href={linkFor(r.value)}>{r.label}</Link> : r.label}</th>
                <td className="num">{formatNumber(r.count)}</td>
                <td className="bar-cell" aria-hidden="true">
                  <span className="bar" style={{ width: `${total ? Math.max(2, (100 * r.count) / total) : 0}%` }} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

export function OverviewPage() {
  const [{ data, error }] = useQuery<FleetOverviewResult>({ query: FleetOverview });
  const [{ data: compliance, error: complianceError }] = useQuery<FleetComplianceResult>({ query: FleetCompliance });
  const fleet = data?.fleetSummary;
  const c = compliance?.fleetSummary.compliance;
  return (
    <>
      <Title text="Fleet overview">Fleet overview</Title>
      <ErrorNote error={error} />
      {!fleet ? (
        !error && <Loading what="the fleet" />
      ) : (
        <>
          <dl className="stats">
            <div>
              <dt>Clusters</dt>
              <dd data-testid="cluster-count">{formatNumber(fleet.clusterCount)}</dd>
            </div>
            <div>
              <dt>Nodes</dt>
              <dd>{formatNumber(fleet.nodeCount)}</dd>
            </div>
            <div>
              <dt>Compliant</dt>
              <dd>{c ? formatNumber(c.compliantClusters) : '…'}</dd>
            </div>
            <div>
              <dt>Non-compliant</dt>
              <dd>{c ? <Link href="/clusters?compliance=NON_COMPLIANT">{formatNumber(c.nonCompliantClusters)}</Link> : '…'}</dd>
            </div>
            <div>
              <dt>Not yet known</dt>
              <dd>{c ? formatNumber(c.unknownClusters) : '…'}</dd>
            </div>
            <div>
              <dt>Open violations</dt>
              <dd>{c ? formatNumber(c.violationCount) : '…'}</dd>
            </div>
          </dl>
          <ErrorNote error={complianceError} />
          {c && <p className="muted">Last compliance scan: {c.lastScanAt ? formatTime(c.lastScanAt) : 'none yet'}.</p>}
          <ComplianceTrendCard />
          <div className="grid">
            <Breakdown
              title="By status"
              column="Status"
              total={fleet.clusterCount}
              rows={fleet.byStatus.map((s) => ({ label: humanize(s.status), value: s.status, count: s.count }))}
              linkFor={(v) => `/clusters?status=${v}`}
            />
            <Breakdown
              title="By provider"
              column="Provider"
              total={fleet.clusterCount}
              rows={fleet.byProvider.map((p) => ({ label: providerLabel(p.provider), value: p.provider, count: p.count }))}
              linkFor={(v) => `/clusters?provider=${v}`}
            />
            <Breakdown title="By Kubernetes version" column="Version" total={fleet.clusterCount} rows={fleet.byVersion.map((v) => ({ label: v.version, value: v.version, count: v.count }))} />
          </div>
          {fleet.byStatus.some((s) => s.status === 'UNREACHABLE' && s.count > 0) && (
            <p>
              <StatusBadge value="UNREACHABLE" /> <Link href="/clusters?status=UNREACHABLE">See the unreachable clusters and why</Link>
            </p>
          )}
        </>
      )}
    </>
  );
}
