import type { ViewerResult } from '../api/types';

// The API token lives in sessionStorage only: gone when the tab closes, never in localStorage or a
// cookie, and sign-out removes it. Beside it, who the token belongs to (role and organization, no
// secret), so a reload draws the right buttons at once while the API confirms them.
const KEY = 'flotilla.token';
const VIEWER_KEY = 'flotilla.viewer';

export function readToken(): string | null {
  try {
    return sessionStorage.getItem(KEY);
  } catch {
    return null;
  }
}

export function saveToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function clearToken(): void {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(VIEWER_KEY);
}

export function readViewer(): ViewerResult['viewer'] | null {
  try {
    const v = JSON.parse(sessionStorage.getItem(VIEWER_KEY) ?? 'null') as ViewerResult['viewer'] | null;
    return v && typeof v.role === 'string' && typeof v.organization?.name === 'string' ? v : null;
  } catch {
    return null;
  }
}

export function saveViewer(viewer: ViewerResult['viewer']): void {
  sessionStorage.setItem(VIEWER_KEY, JSON.stringify({ role: viewer.role, organization: { id: viewer.organization.id, name: viewer.organization.name } }));
}
