// Entry point of the console's page (bundled by scripts/build.js into assets/app.js and app.css).
import { render } from 'preact';
import { App } from './app.tsx';
import './styles.css';

/**
 * `kubernaut up` may print a link carrying a bearer token as #token=…: take it out of the
 * address bar and history at once (before anything renders), then sign in with it and show the
 * approvals, where a signed-in user is needed.
 */
function takeTokenFromHash(): string | undefined {
  const match = /^#token=([^&]+)/.exec(location.hash);
  if (!match) return undefined;
  history.replaceState(null, '', '/approvals');
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return match[1];
  }
}

const token = takeTokenFromHash();
render(<App token={token} />, document.getElementById('app') ?? document.body);
