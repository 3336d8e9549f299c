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
import { clearToken, readToken, saveToken } from './session.store';

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

function SignedIn({ signOut }: { signOut: () => void }) {
  const [{ data, error, fetching }] = useQuery<ViewerResult>({ query: DashboardViewer, requestPolicy: 'cache-first' });
  const { pathname } = useLocation();
  useEffect(() => {
    if (pathname === '/sign-in') navigate('/', { replace: true });
  }, [pathname]);
  const session = useMemo(() => (data ? { role: data.viewer.role, organization: data.viewer.organization, signOut } : null), [data, signOut]);
  if (!session) {
    return (
      <main id="main" className="centered">
        {fetching || !error ? <Loading what="your session" /> : <ErrorNote error={error} />}
        {error && (
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        )}
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
