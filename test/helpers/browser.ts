/**
 * A real headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the
 * console's browser tests and benchmarks. Playwright's own browser download does not work on
 * these machines, so the test uses the system browser; without it the test is skipped (and CI,
 * which installs it with scripts/ci/install-chromium.sh, fails a skipped test).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.KUBERNAUT_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or false when they can. */
export const noBrowser: string | false = existsSync(CHROMIUM) ? false : `no Chromium at ${CHROMIUM} (scripts/ci/install-chromium.sh installs it)`;

/**
 * Flags for a closed network: without the background-networking ones Chromium keeps trying to
 * reach Google's hosts, which this machine refuses, many at a time.
 */
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export interface TestBrowser {
  browser: Browser;
  close(): Promise<void>;
}

/** Playwright gives each launch a new empty profile of its own: nothing carries over between tests. */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  return {
    browser,
    async close() {
      await browser.close().catch(() => undefined);
    },
  };
}
