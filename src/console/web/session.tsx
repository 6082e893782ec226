// Who is signed in. Reads /api/session once, signs in with a bearer token (typed on /sign-in or
// handed over in the URL's #token=), signs out. Deciding an approval needs a signed-in user and
// the session's CSRF token; reading may be anonymous (embedded cluster only).
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { SessionView } from '../api-types.ts';
import { errorText, getJson, sendJson } from './api.ts';

interface Session {
  /** undefined until the first answer. */
  view?: SessionView;
  /** Why the last sign-in failed (shown by /sign-in). */
  signInError?: string;
  signingIn: boolean;
  signIn(token: string): Promise<boolean>;
  signOut(): Promise<void>;
}

const SessionContext = createContext<Session>({ signingIn: false, signIn: async () => false, signOut: async () => {} });

export function SessionProvider(props: { initialToken?: string; onTokenSignIn?: (ok: boolean) => void; children: ComponentChildren }) {
  const [view, setView] = useState<SessionView>();
  const [signInError, setSignInError] = useState<string>();
  const [signingIn, setSigningIn] = useState(false);

  const signIn = useCallback(async (token: string) => {
    setSigningIn(true);
    try {
      setView(await sendJson<SessionView>('POST', '/api/session', { token }, undefined));
      setSignInError(undefined);
      return true;
    } catch (e) {
      setSignInError(errorText(e));
      return false;
    } finally {
      setSigningIn(false);
    }
  }, []);

  const signOut = useCallback(async () => {
    try {
      setView(await sendJson<SessionView>('DELETE', '/api/session', undefined, view?.csrfToken));
    } catch {
      setView(await getJson<SessionView>('/api/session').catch(() => ({ anonymousRead: false })));
    }
  }, [view]);

  useEffect(() => {
    const token = props.initialToken;
    if (token) {
      void signIn(token).then(async (ok) => {
        if (!ok) setView(await getJson<SessionView>('/api/session').catch(() => ({ anonymousRead: false })));
        props.onTokenSignIn?.(ok);
      });
    } else {
      getJson<SessionView>('/api/session').then(setView, () => setView({ anonymousRead: false }));
    }
    // Once, on load: the token in the URL is used a single time.
  }, []);

  const value = useMemo<Session>(() => ({ view, signInError, signingIn, signIn, signOut }), [view, signInError, signingIn, signIn, signOut]);
  return <SessionContext.Provider value={value}>{props.children}</SessionContext.Provider>;
}

export function useSession(): Session {
  return useContext(SessionContext);
}
