import { useSyncExternalStore } from 'react';

// A small History API router: the dashboard has seven routes, not enough for a routing library.
// The API answers index.html on these paths (DASHBOARD_ROUTES in apps/api/src/dashboard/dashboard-static.ts).
export type Route =
  | { page: 'overview' }
  | { page: 'sign-in' }
  | { page: 'clusters' }
  | { page: 'cluster'; id: string }
  | { page: 'policies' }
  | { page: 'scans' }
  | { page: 'scan'; id: string }
  | { page: 'audit' }
  | { page: 'not-found' };

export function parseRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'overview' };
  const [first, second] = parts;
  if (parts.length === 1 && first === 'sign-in') return { page: 'sign-in' };
  if (first === 'clusters') return second ? { page: 'cluster', id: second } : { page: 'clusters' };
  if (first === 'scans') return second ? { page: 'scan', id: second } : { page: 'scans' };
  if (parts.length === 1 && first === 'policies') return { page: 'policies' };
  if (parts.length === 1 && first === 'audit') return { page: 'audit' };
  return { page: 'not-found' };
}

const listeners = new Set<() => void>();
const notify = () => listeners.forEach((l) => l());
window.addEventListener('popstate', notify);

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current location (path and query), re-rendering on navigation. */
export function useLocation(): { pathname: string; search: string } {
  const href = useSyncExternalStore(subscribe, () => window.location.pathname + window.location.search);
  const url = new URL(href, window.location.origin);
  return { pathname: url.pathname, search: url.search };
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === window.location.pathname + window.location.search) return;
  if (options.replace) window.history.replaceState(null, '', to);
  else window.history.pushState(null, '', to);
  notify();
}
