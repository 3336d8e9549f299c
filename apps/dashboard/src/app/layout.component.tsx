import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from '../components/link.component';
import { humanize } from '../components/status.component';
import { canAdminister } from './roles';
import { useLocation } from './router';
import { useSession } from './session.context';

const NAV = [
  { href: '/', label: 'Overview', admin: false },
  { href: '/clusters', label: 'Clusters', admin: false },
  { href: '/policies', label: 'Policies', admin: false },
  { href: '/scans', label: 'Scans', admin: false },
  { href: '/audit', label: 'Audit log', admin: true },
];

function isCurrent(href: string, pathname: string): boolean {
  return href === '/' ? pathname === '/' : pathname === href || pathname.startsWith(`${href}/`);
}

/** Landmarks (banner, navigation, main), a skip link, and focus moved to the page's heading on navigation. */
export function Layout({ children }: { children: ReactNode }) {
  const { role, known, organization, signOut } = useSession();
  const { pathname } = useLocation();
  const main = useRef<HTMLElement>(null);
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [pathname]);
  return (
    <>
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">Flotilla</span>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((n) => !n.admin || canAdminister(role)).map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={isCurrent(n.href, pathname) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <div className="who">
          <span>
            {organization.name} · <span data-testid="role">{known ? humanize(role) : '…'}</span>
          </span>
          <button type="button" className="secondary" onClick={signOut}>
            Sign out
          </button>
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {children}
      </main>
    </>
  );
}
