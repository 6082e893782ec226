// "/sign-in": trade a Kubernetes bearer token for a session (the server checks it with a
// TokenReview and keeps only a cookie); then back to where the user came from.
import { useLocation } from 'preact-iso/router';
import { useState } from 'preact/hooks';
import { useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';

/** Only a path on this site: an absolute or protocol-relative "next" could send the user elsewhere. */
function localPath(next: string | undefined): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/approvals';
}

export function SignInPage() {
  useTitle('Sign in');
  const { query, route } = useLocation();
  const session = useSession();
  const [token, setToken] = useState('');
  const user = session.view?.user;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!token.trim()) return;
    if (await session.signIn(token.trim())) {
      setToken('');
      route(localPath(query.next));
    }
  };

  return (
    <div class="narrow">
      <h1>Sign in</h1>
      {user ? (
        <p class="notice ok">
          Signed in as <strong>{user.username}</strong>
          {user.groups.length > 0 && <span class="muted"> ({user.groups.join(', ')})</span>}.{' '}
          <button type="button" class="btn small" onClick={() => void session.signOut()}>
            Sign out
          </button>
        </p>
      ) : (
        <p>
          Deciding approvals needs a Kubernetes identity. Paste a bearer token, for example the output of <code>kubectl create token &lt;service-account&gt;</code>; the console
          checks it with the cluster and keeps a session cookie, not the token.
        </p>
      )}
      <form class="card sign-in" onSubmit={submit}>
        <label for="token">Bearer token</label>
        <input id="token" name="token" type="password" autoComplete="off" spellcheck={false} required value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        <button type="submit" class="btn primary" disabled={session.signingIn}>
          {session.signingIn ? 'Signing in…' : 'Sign in'}
        </button>
        <div aria-live="polite">
          {session.signInError && (
            <p class="error" data-testid="sign-in-error">
              {session.signInError}
            </p>
          )}
        </div>
      </form>
    </div>
  );
}
