import { useEffect, useMemo, useState } from 'react';
import { useQuery } from 'urql';
import { ClusterGroups, ClusterList } from '../api/operations';
import {
  CLUSTER_STATUSES,
  COMPLIANCE_STATUSES,
  PROVIDERS,
  type ClusterGroupsResult,
  type ClusterListResult,
  type ClusterOrderField,
} from '../api/types';
import { navigate, useLocation } from '../app/router';
import { formatAgo, formatNumber } from '../components/format';
import { Link } from '../components/link.component';
import { ErrorNote, Loading } from '../components/notices.component';
import { StatusBadge, humanize, providerLabel } from '../components/status.component';
import { FilterSelect } from '../components/filter-select.component';
import { Title } from '../components/title.component';

/** One page of the registry at a time: the page never holds more than this many clusters. */
export const PAGE_SIZE = 50;

const SORTS: Array<{ value: string; label: string; field: ClusterOrderField; direction: 'ASC' | 'DESC' }> = [
  { value: 'name', label: 'Name (A–Z)', field: 'NAME', direction: 'ASC' },
  { value: '-name', label: 'Name (Z–A)', field: 'NAME', direction: 'DESC' },
  { value: '-lastSeen', label: 'Last seen (recent first)', field: 'LAST_SEEN_AT', direction: 'DESC' },
  { value: 'lastSeen', label: 'Last seen (oldest first)', field: 'LAST_SEEN_AT', direction: 'ASC' },
  { value: 'version', label: 'Kubernetes version (oldest first)', field: 'KUBERNETES_VERSION', direction: 'ASC' },
  { value: '-version', label: 'Kubernetes version (newest first)', field: 'KUBERNETES_VERSION', direction: 'DESC' },
  { value: '-attached', label: 'Attached (newest first)', field: 'ATTACHED_AT', direction: 'DESC' },
];

const LABEL = /^([A-Za-z0-9./_-]{1,253})=([A-Za-z0-9._-]{0,63})$/;

interface Filters {
  q: string;
  status: string;
  provider: string;
  compliance: string;
  group: string;
  label: string;
  sort: string;
  after: string;
}
const KEYS: Array<keyof Filters> = ['q', 'status', 'provider', 'compliance', 'group', 'label', 'sort', 'after'];

function readFilters(search: string): Filters {
  const p = new URLSearchParams(search);
  return Object.fromEntries(KEYS.map((k) => [k, p.get(k) ?? ''])) as unknown as Filters;
}

function hrefFor(f: Filters): string {
  const p = new URLSearchParams();
  for (const k of KEYS) if (f[k]) p.set(k, f[k]);
  const s = p.toString();
  return s ? `/clusters?${s}` : '/clusters';
}

/** The filters as the API's ClusterFilter: only what is set, so an empty filter is the whole fleet. */
function variablesFor(f: Filters) {
  const label = LABEL.exec(f.label);
  const sort = SORTS.find((s) => s.value === f.sort) ?? SORTS[0];
  const filter = {
    ...(f.q ? { search: f.q } : {}),
    ...(f.status ? { statuses: [f.status] } : {}),
    ...(f.provider ? { providers: [f.provider] } : {}),
    ...(f.compliance ? { complianceStatuses: [f.compliance] } : {}),
    ...(f.group ? { groupId: f.group } : {}),
    ...(label ? { labels: [{ key: label[1], value: label[2] }] } : {}),
  };
  return { filter, first: PAGE_SIZE, after: f.after || null, orderBy: { field: sort.field, direction: sort.direction } };
}

export function ClustersPage() {
  const { search } = useLocation();
  const filters = useMemo(() => readFilters(search), [search]);
  const variables = useMemo(() => variablesFor(filters), [filters]);
  const [{ data, error, fetching }] = useQuery<ClusterListResult>({ query: ClusterList, variables });
  const [{ data: groups }] = useQuery<ClusterGroupsResult>({ query: ClusterGroups });
  // Cursors of the pages before this one, so Previous works without offsets.
  const [previous, setPrevious] = useState<string[]>([]);
  const [q, setQ] = useState(filters.q);
  const [label, setLabel] = useState(filters.label);

  const set = (change: Partial<Filters>, keepCursor = false) => {
    if (!keepCursor) setPrevious([]);
    navigate(hrefFor({ ...filters, after: '', ...change }), { replace: true });
  };

  // The URL wins when it changes from outside (back button, a link from the overview).
  useEffect(() => setQ(filters.q), [filters.q]);
  useEffect(() => setLabel(filters.label), [filters.label]);
  // Typing searches after a pause, not per keystroke.
  useEffect(() => {
    if (q === filters.q) return;
    const t = setTimeout(() => set({ q }), 250);
    return () => clearTimeout(t);
  });

  const labelInvalid = label !== '' && !LABEL.test(label);
  const page = data?.clusters;
  const start = previous.length * PAGE_SIZE;
  return (
    <>
      <Title text="Clusters">Clusters</Title>
      <form className="filters" role="search" aria-label="Filter clusters" onSubmit={(e) => e.preventDefault()}>
        <div className="field">
          <label htmlFor="f-search">Search</label>
          <input id="f-search" type="search" placeholder="Name" value={q} onChange={(e) => setQ(e.target.value)} />
        </div>
        <FilterSelect id="f-status" label="Status" value={filters.status} options={CLUSTER_STATUSES.map((s) => ({ value: s, label: humanize(s) }))} onChange={(status) => set({ status })} />
        <FilterSelect id="f-provider" label="Provider" value={filters.provider} options={PROVIDERS.map((p) => ({ value: p, label: providerLabel(p) }))} onChange={(provider) => set({ provider })} />
        <FilterSelect
          id="f-compliance"
          label="Compliance"
          value={filters.compliance}
          options={COMPLIANCE_STATUSES.map((s) => ({ value: s, label: humanize(s) }))}
          onChange={(compliance) => set({ compliance })}
        />
        <FilterSelect id="f-group" label="Group" value={filters.group} options={(groups?.clusterGroups ?? []).map((g) => ({ value: g.id, label: g.name }))} onChange={(group) => set({ group })} />
        <div className="field">
          <label htmlFor="f-label">Label</label>
          <input
            id="f-label"
            placeholder="key=value"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            onBlur={() => !labelInvalid && label !== filters.label && set({ label })}
            onKeyDown={(e) => e.key === 'Enter' && !labelInvalid && set({ label })}
            aria-invalid={labelInvalid || undefined}
            aria-describedby={labelInvalid ? 'f-label-error' : undefined}
          />
          {labelInvalid && (
            <p id="f-label-error" className="field-error">
              Write a label as key=value.
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="f-sort">Sort by</label>
          <select id="f-sort" value={filters.sort || 'name'} onChange={(e) => set({ sort: e.target.value === 'name' ? '' : e.target.value })}>
            {SORTS.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNote error={error} />
      {!page ? (
        !error && <Loading what="clusters" />
      ) : (
        <>
          <p className="muted" role="status" aria-live="polite" data-testid="cluster-total">
            {page.totalCount === 0
              ? 'No clusters match.'
              : `Showing ${formatNumber(start + 1)}–${formatNumber(start + page.edges.length)} of ${formatNumber(page.totalCount)} clusters${fetching ? ' (refreshing…)' : ''}`}
          </p>
          <div className="table-wrap">
            <table className="clusters" aria-busy={fetching}>
              <caption className="visually-hidden">Clusters matching the filters</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Status</th>
                  <th scope="col">Provider</th>
                  <th scope="col">Region</th>
                  <th scope="col">Version</th>
                  <th scope="col" className="num">
                    Nodes
                  </th>
                  <th scope="col">Group</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Last seen</th>
                </tr>
              </thead>
              <tbody>
                {page.edges.map(({ node: c }) => (
                  <tr key={c.id}>
                    <th scope="row">
                      <Link href={`/clusters/${c.id}`}>{c.name}</Link>
                    </th>
                    <td>
                      <StatusBadge value={c.status} />
                    </td>
                    <td>{providerLabel(c.provider)}</td>
                    <td>{c.region ?? '—'}</td>
                    <td>{c.kubernetesVersion ?? '—'}</td>
                    <td className="num">{c.nodeCount}</td>
                    <td>{c.group?.name ?? '—'}</td>
                    <td>
                      {c.labels.slice(0, 3).map((l) => (
                        <span key={l.key} className="chip">
                          {l.key}={l.value}
                        </span>
                      ))}
                      {c.labels.length > 3 && <span className="muted"> +{c.labels.length - 3}</span>}
                    </td>
                    <td>{formatAgo(c.lastSeenAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Pages of clusters">
            <button type="button" className="secondary" disabled={previous.length === 0} onClick={() => (setPrevious([]), set({ after: '' }, true))}>
              First page
            </button>
            <button
              type="button"
              className="secondary"
              disabled={previous.length === 0}
              onClick={() => {
                const stack = previous.slice(0, -1);
                setPrevious(stack);
                set({ after: previous[previous.length - 1] }, true);
              }}
            >
              Previous
            </button>
            <button
              type="button"
              className="secondary"
              disabled={!page.pageInfo.hasNextPage}
              onClick={() => {
                setPrevious([...previous, filters.after]);
                set({ after: page.pageInfo.endCursor ?? '' }, true);
              }}
            >
              Next
            </button>
          </nav>
        </>
      )}
    </>
  );
}
