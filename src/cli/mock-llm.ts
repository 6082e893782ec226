/**
 * `kubernaut mock-llm`: the deterministic offline mock LLM on its own (investigation.md §12), for
 * demos and tests. Faults come from `--faults` or, without it, from KUBERNAUT_MOCK_LLM_FAULTS.
 */
import { componentLogger } from '../platform/log.ts';
import { onSignals } from './services.ts';

export async function runMockLlm(opts: { port: number; host: string; faults?: string; reportUsage?: boolean }): Promise<void> {
  const [{ startMockLlm }, { parseFaultSpec, FAULTS_ENV }] = await Promise.all([import('../investigator/mock-llm/server.ts'), import('../investigator/mock-llm/faults.ts')]);
  const spec = opts.faults ?? process.env[FAULTS_ENV];
  let faults: ReturnType<typeof parseFaultSpec>;
  try {
    faults = spec ? parseFaultSpec(spec) : {};
  } catch (e) {
    process.stderr.write(`kubernaut mock-llm: --faults: ${(e as Error).message}\n`);
    process.exitCode = 2;
    return;
  }
  const mock = await startMockLlm({ host: opts.host, port: opts.port, faults, reportUsage: opts.reportUsage === true });
  componentLogger('mock-llm').info({ url: mock.url, faults, reportUsage: opts.reportUsage === true }, 'mock LLM is up');
  process.stdout.write(`mock-llm: ${mock.url} (model mock-model, provider openai-compatible)\n`);
  process.stdout.write('mock-llm is ready\n');
  onSignals(() => mock.close());
}
