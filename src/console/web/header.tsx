// The top of every page: skip link, main navigation (with the pending approvals count), the live
// feed's state, and who is signed in.
import type { ComponentChildren } from 'preact';
import { useLocation } from 'preact-iso/router';
import { useApprovals } from './approvals-store.tsx';
import { type LiveStatus, useLiveStatus } from './live.tsx';
import { useSession } from './session.tsx';

const LIVE_TEXT: Record<LiveStatus, string> = { connecting: 'Connecting…', live: 'Live', reconnecting: 'Reconnecting…' };

function NavLink(props: { href: string; current: boolean; children: ComponentChildren }) {
  return (
    <li>
      <a href={props.href} aria-current={props.current ? 'page' : undefined}>
        {props.children}
      </a>
    </li>
  );
}

export function Header() {
  const { path } = useLocation();
  const approvals = useApprovals();
  const pending = approvals.data?.pending.filter((a) => a.open).length ?? 0;
  const live = useLiveStatus();
  const session = useSession();
  const user = session.view?.user;
  return (
    <header class="site-header">
      <a class="skip-link" href="#content">
        Skip to content
      </a>
      <div class="bar">
        <a class="brand" href="/">
          Kubernaut <span>console</span>
        </a>
        <nav aria-label="Main">
          <ul>
            <NavLink href="/" current={path === '/' || path.startsWith('/remediations/')}>
              Remediations
            </NavLink>
            <NavLink href="/approvals" current={path === '/approvals'}>
              Approvals
              {pending > 0 && (
                <span class="count" data-testid="pending-count">
                  {pending}
                  <span class="visually-hidden"> pending</span>
                </span>
              )}
            </NavLink>
            <NavLink href="/catalog" current={path === '/catalog'}>
              Catalog
            </NavLink>
            <NavLink href="/alerts" current={path === '/alerts'}>
              Alerts
            </NavLink>
          </ul>
        </nav>
        <span class={`live live-${live}`} data-testid="live-status" data-state={live} role="status">
          <span class="dot" aria-hidden="true" />
          {LIVE_TEXT[live]}
        </span>
        <div class="user">
          {user ? (
            <>
              <span class="who" title={user.groups.join(', ')}>
                {user.username}
              </span>
              <button type="button" class="btn small ghost" onClick={() => void session.signOut()}>
                Sign out
              </button>
            </>
          ) : (
            <>
              {session.view?.anonymousRead && <span class="who muted-inverse">read-only</span>}
              <a href={path === '/sign-in' ? '/sign-in' : `/sign-in?next=${encodeURIComponent(path)}`} aria-current={path === '/sign-in' ? 'page' : undefined}>
                Sign in
              </a>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
