// The page's frame: routing (real paths, preact-iso), session, live feed, header and the pages.
import { LocationProvider, Route, Router, useLocation } from 'preact-iso/router';
import { useEffect, useRef } from 'preact/hooks';
import { ApprovalsProvider } from './approvals-store.tsx';
import { Header } from './header.tsx';
import { useTitle } from './hooks.ts';
import { LiveProvider } from './live.tsx';
import { AlertsPage } from './pages/alerts.tsx';
import { ApprovalsPage } from './pages/approvals.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { RemediationPage } from './pages/remediation.tsx';
import { RemediationsPage } from './pages/remediations.tsx';
import { SignInPage } from './pages/sign-in.tsx';
import { SessionProvider, useSession } from './session.tsx';

function NotFound() {
  useTitle('Not found');
  return (
    <>
      <h1>Page not found</h1>
      <p>
        Nothing lives at this address. <a href="/">See the remediations</a>
      </p>
    </>
  );
}

/** After a navigation, focus moves to the new page's content, as a full page load would put it. */
function useFocusOnNavigation() {
  const { path } = useLocation();
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    document.getElementById('content')?.focus();
    window.scrollTo(0, 0);
  }, [path]);
}

function Shell() {
  useFocusOnNavigation();
  const user = useSession().view?.user?.username ?? '';
  return (
    <LiveProvider connectionKey={user}>
      <ApprovalsProvider sessionKey={user}>
        <Header />
        <main id="content" tabIndex={-1}>
          <Router>
            <Route path="/" component={RemediationsPage} />
            <Route path="/remediations/:ns/:name" component={RemediationPage} />
            <Route path="/approvals" component={ApprovalsPage} />
            <Route path="/catalog" component={CatalogPage} />
            <Route path="/alerts" component={AlertsPage} />
            <Route path="/sign-in" component={SignInPage} />
            <Route default component={NotFound} />
          </Router>
        </main>
      </ApprovalsProvider>
    </LiveProvider>
  );
}

function TokenSignIn(props: { token?: string }) {
  const { route } = useLocation();
  return (
    <SessionProvider initialToken={props.token} onTokenSignIn={(ok) => !ok && route('/sign-in?next=/approvals', true)}>
      <Shell />
    </SessionProvider>
  );
}

/** token: a bearer token handed over in the URL (#token=…), already removed from the address bar. */
export function App(props: { token?: string }) {
  return (
    <LocationProvider>
      <TokenSignIn token={props.token} />
    </LocationProvider>
  );
}
