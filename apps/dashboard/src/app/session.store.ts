// The API token lives in sessionStorage only: gone when the tab closes, never in localStorage or a
// cookie, and sign-out removes it.
const KEY = 'flotilla.token';

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
}
