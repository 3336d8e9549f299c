import { useState } from 'react';
import { useQuery } from 'urql';
import { AuditLog } from '../api/operations';
import type { AuditLogResult } from '../api/types';
import { canAdminister } from '../app/roles';
import { useSession } from '../app/session.context';
import { formatTime } from '../components/format';
import { ErrorNote, Loading } from '../components/notices.component';
import { Title } from '../components/title.component';

const PAGE_SIZE = 50;

export function AuditPage() {
  const { role, known } = useSession();
  if (!known) return <Loading what="your role" />;
  if (!canAdminister(role))
    return (
      <>
        <Title text="Audit log">Audit log</Title>
        <p>Only an ADMIN can read the audit log.</p>
      </>
    );
  return <AuditTable />;
}

function AuditTable() {
  const [cursors, setCursors] = useState<Array<string | null>>([null]);
  const after = cursors[cursors.length - 1];
  const [{ data, error }] = useQuery<AuditLogResult>({ query: AuditLog, variables: { first: PAGE_SIZE, after } });
  const events = data?.auditEvents;
  return (
    <>
      <Title text="Audit log">Audit log</Title>
      <ErrorNote error={error} />
      {!events ? (
        !error && <Loading what="the audit log" />
      ) : events.edges.length === 0 ? (
        <p className="muted">Nothing has been changed yet.</p>
      ) : (
        <>
          <table>
            <caption className="visually-hidden">Audit events, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
              </tr>
            </thead>
            <tbody>
              {events.edges.map(({ node: e }) => (
                <tr key={e.id}>
                  <td>{formatTime(e.at)}</td>
                  <td>{e.actor}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td className="wrap">{e.targetType ? `${e.targetType} ${e.targetId ?? ''}` : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <nav className="pager" aria-label="Pages of the audit log">
            <button type="button" className="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
              Newer
            </button>
            <button type="button" className="secondary" disabled={!events.pageInfo.hasNextPage} onClick={() => setCursors([...cursors, events.pageInfo.endCursor])}>
              Older
            </button>
          </nav>
        </>
      )}
    </>
  );
}
