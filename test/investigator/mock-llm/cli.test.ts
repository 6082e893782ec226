import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startService } from '../../helpers/kubernaut-process.ts';

const READY = /mock-llm: (http:\/\/\S+) [^\n]*\nmock-llm is ready/;

describe('kubernaut mock-llm', () => {
  it('prints its URL and a ready line, takes faults from --faults, and stops on SIGTERM', async () => {
    const svc = await startService(['mock-llm', '--port', '0', '--faults', 'low_confidence,delay_ms=0'], READY);
    try {
      assert.match(svc.url, /^http:\/\/127\.0\.0\.1:\d+\/v1$/);
      const faults = await (await fetch(svc.url.replace(/\/v1$/, '/admin/faults'))).json();
      assert.deepEqual(faults, { low_confidence: true, delay_ms: 0 });
      const models = await (await fetch(`${svc.url}/models`)).json();
      assert.equal(models.data[0].id, 'mock-model');
    } finally {
      assert.equal(await svc.stop('SIGTERM'), 0);
    }
  });

  it('takes faults from KUBERNAUT_MOCK_LLM_FAULTS when --faults is not given', async () => {
    const svc = await startService(['mock-llm', '--port', '0'], READY, { KUBERNAUT_MOCK_LLM_FAULTS: 'http_500_once' });
    try {
      assert.deepEqual(await (await fetch(svc.url.replace(/\/v1$/, '/admin/faults'))).json(), { http_500_once: true });
    } finally {
      await svc.stop('SIGINT');
    }
  });

  it('refuses an unknown fault with a clear message', async () => {
    await assert.rejects(startService(['mock-llm', '--port', '0', '--faults', 'melt_down'], READY), /unknown fault "melt_down"/);
  });
});
