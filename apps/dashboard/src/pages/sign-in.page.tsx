import { useState, type FormEvent } from 'react';
import { Title } from '../components/title.component';

/**
 * Sign-in with an API token (`flotilla admin bootstrap` prints one; an ADMIN creates more). The
 * token is checked by the first query after it is kept; a refused one comes back here with why.
 */
export function SignInPage({ onSignIn, notice }: { onSignIn: (token: string) => void; notice: string | null }) {
  const [token, setToken] = useState('');
  const [error, setError] = useState<string | null>(null);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const t = token.trim();
    if (!/^flt_[A-Za-z0-9_-]{8,}$/.test(t)) {
      setError('An API token starts with flt_ (the one `flotilla admin bootstrap` or `npm run dev` printed).');
      return;
    }
    onSignIn(t);
  };
  return (
    <main id="main" className="sign-in">
      <form onSubmit={submit} noValidate aria-labelledby="sign-in-title">
        <Title text="Sign in">
          <span id="sign-in-title">Sign in to Flotilla</span>
        </Title>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        <div className="field">
          <label htmlFor="token">API token</label>
          <input
            id="token"
            name="token"
            type="password"
            autoComplete="off"
            spellCheck={false}
            value={token}
            onChange={(e) => setToken(e.target.value)}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? 'token-error token-help' : 'token-help'}
            required
          />
          <p id="token-help" className="help">
            Kept in this browser tab only (sessionStorage); signing out forgets it.
          </p>
          {error && (
            <p id="token-error" className="field-error">
              {error}
            </p>
          )}
        </div>
        <button type="submit">Sign in</button>
      </form>
    </main>
  );
}
