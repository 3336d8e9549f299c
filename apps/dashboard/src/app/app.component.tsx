import { Suspense, lazy, useCallback, useEffect, useMemo, useState } from 'react';
import { Provider, useQuery } from 'urql';
import { DashboardViewer } from '../api/operations';
import type { ViewerResult } from '../api/types';
import { ErrorNote, Loading } from '../components/notices.component';
import { AuditPage } from '../pages/audit.page';
import { ClusterDetailPage } from '../pages/cluster-detail.page';
import { ClustersPage } from '../pages/clusters.page';
import { OverviewPage } from '../pages/overview.page';
import { ScanDetailPage, ScansPage } from '../pages/scans.page';
import { SignInPage } from '../pages/sign-in.page';
import { createGraphqlClient } from './graphql.client';
import { Layout } from './layout.component';
import { Route, navigate, parseRoute, useLocation } from './router';
import { SessionContext } from './session.context';
import { clearToken, readToken, readViewer, saveToken, saveViewer } from './session.store';

// The policies page carries a YAML parser: loaded when first opened, not with the clusters page.
const PoliciesPage = lazy(() => import('../pages/policies.page'));

export function App() {
  const [token, setToken] = useState<string | null>(() => readToken());
  const [notice, setNotice] = useState<string | null>(null);
  const signOut = useCallback((why?: string) => {
    clearToken();
    setToken(null);
    setNotice(why ?? null);
  }, []);
  const client = useMemo(() => (token ? createGraphqlClient(token, () => signOut('Your token was refused (expired or revoked). Sign in again.')) : null), [token, signOut]);
  const signIn = (t: string) => {
    saveToken(t);
    setNotice(null);
    setToken(t);
  };
  if (!token || !client) return <SignInPage onSignIn={signIn} notice={notice} />;
  return (
    <Provider value={client}>
      <SignedIn signOut={() => signOut('You are signed out.')} />
    </Provider>
  );
}

const PROVISIONAL = { role: 'VIEWER', organization: { id: '', name: '…' } } as const;

/**
 * The page's own queries start at once, beside the viewer's: until the API says who the token
 * belongs to, the page is drawn for a VIEWER (no button appears that the token might not be
 * allowed to use), or as this tab's last answer said.
 */
function SignedIn({ signOut }: { signOut: () => void }) {
  const [{ data, error }] = useQuery<ViewerResult>({ query: DashboardViewer, requestPolicy: 'cache-first' });
  const { pathname } = useLocation();
  useEffect(() => {
    if (pathname === '/sign-in') navigate('/', { replace: true });
  }, [pathname]);
  useEffect(() => {
    if (data) saveViewer(data.viewer);
  }, [data]);
  const [cached] = useState(readViewer);
  const session = useMemo(() => {
    const viewer = data?.viewer ?? cached;
    return { role: viewer?.role ?? PROVISIONAL.role, organization: viewer?.organization ?? PROVISIONAL.organization, known: !!viewer, signOut };
  }, [data, cached, signOut]);
  if (error && !data) {
    return (
      <main id="main" className="centered">
        <ErrorNote error={error} />
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </main>
    );
  }
  return (
    <SessionContext.Provider value={session}>
      <Layout>
        <Suspense fallback={<Loading what="the page" />}>
          <Page route={parseRoute(pathname)} />
        </Suspense>
      </Layout>
    </SessionContext.Provider>
  );
}

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'overview':
    case 'sign-in':
      return <OverviewPage />;
    case 'clusters':
      return <ClustersPage />;
    case 'cluster':
      return <ClusterDetailPage id={route.id} />;
    case 'policies':
      return <PoliciesPage />;
    case 'scans':
      return <ScansPage />;
    case 'scan':
      return <ScanDetailPage id={route.id} />;
    case 'audit':
      return <AuditPage />;
    case 'not-found':
      return (
        <>
          <h1>Page not found</h1>
          <p>There is no page at this address.</p>
        </>
      );
  }
}
