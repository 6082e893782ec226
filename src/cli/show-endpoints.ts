/**
 * `kubernaut endpoints [NAME]`: where the components of the `kubernaut up` on a data dir listen,
 * read from its endpoints.json, so READMEs and scripts never hard-code a port that `up` may have
 * moved (9190 is taken, a free port was chosen): `GATEWAY=$(npx kubernaut endpoints gateway)`.
 */
import { processAlive } from '../platform/process-alive.ts';
import { readEndpoints, type EndpointUrls } from './endpoints.ts';

/** The names a user types, each with the endpoints.json key it reads. */
export const ENDPOINT_NAMES: Record<string, keyof EndpointUrls> = {
  'api-server': 'apiServer',
  'kube-state-metrics': 'kubeStateMetrics',
  datastorage: 'dataStorage',
  gateway: 'gateway',
  controllers: 'controllers',
  prometheus: 'prometheus',
  alertmanager: 'alertmanager',
  investigator: 'investigator',
  'mock-llm': 'mockLlm',
  console: 'console',
  'console-sign-in': 'consoleSignIn',
};

export type EndpointsAnswer = { ok: true; text: string } | { ok: false; error: string };

/** What the command prints: one URL for a name, or every known `name url` line. */
export function describeEndpoints(dataDir: string, name: string | undefined): EndpointsAnswer {
  const endpoints = readEndpoints(dataDir);
  if (!endpoints || !processAlive(endpoints.pid)) return { ok: false, error: `no kubernaut up is running on ${dataDir}` };
  if (name === undefined) {
    const lines = Object.entries(ENDPOINT_NAMES)
      .filter(([, key]) => endpoints[key])
      .map(([flag, key]) => `${flag.padEnd(20)}${endpoints[key]}`);
    return { ok: true, text: lines.join('\n') };
  }
  const key = ENDPOINT_NAMES[name];
  if (!key) return { ok: false, error: `unknown endpoint "${name}" (one of: ${Object.keys(ENDPOINT_NAMES).join(', ')})` };
  const url = endpoints[key];
  if (!url) return { ok: false, error: `${name} is not running (yet) in the kubernaut up on ${dataDir}` };
  return { ok: true, text: url };
}

export function runShowEndpoints(dataDir: string, name: string | undefined): void {
  const answer = describeEndpoints(dataDir, name);
  if (answer.ok) {
    process.stdout.write(answer.text + '\n');
  } else {
    process.stderr.write(`kubernaut endpoints: ${answer.error}\n`);
    process.exitCode = 1;
  }
}
