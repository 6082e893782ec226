/**
 * The rest of `kubernaut up` on top of an evaluation stack, for pipeline mode: the Kubernaut CRDs,
 * the shipped workflows' Job namespace, runner RBAC and RemediationWorkflow objects, the Gateway, one
 * investigator (the stack's LLM) and every remediation controller (SignalProcessing, Orchestrator,
 * AIAnalysis, WorkflowExecution, EffectivenessMonitor, Notification) on the cluster's time scale.
 * The embedded kubelet runs the workflow bundles of `workflows/` as real processes.
 */
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { installKubernautCrds } from '../src/api/install.ts';
import { startGateway } from '../src/gateway/server.ts';
import { CONTROLLER_NAMESPACE, registerWorkflowDefinitions, startControllers, SHIPPED_WORKFLOWS_DIR } from '../src/stack/kubernaut-services.ts';
import { installShippedWorkflows } from '../src/stack/workflow-install.ts';
import type { EvalStack } from './stack.ts';

export interface PipelineServices {
  gatewayUrl: string;
  investigatorUrl: string;
  close(): Promise<void>;
}

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (e) {
    if (!(e instanceof ApiException && e.code === 409)) throw e;
  }
}

export async function startPipelineServices(stack: EvalStack, opts: { host?: string } = {}): Promise<PipelineServices> {
  const host = opts.host ?? '127.0.0.1';
  const kc = stack.kubeconfig;
  const clock = stack.clusterClock;
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.splice(0).reverse()) await c().catch(() => undefined);
  };
  try {
    await installKubernautCrds(kc, { clock });
    await ensureNamespace(kc, CONTROLLER_NAMESPACE);
    // The stack registered the catalog already; registering again is idempotent and answers the catalog ids.
    const registrations = await registerWorkflowDefinitions(stack.dataStorageUrl, SHIPPED_WORKFLOWS_DIR);
    await installShippedWorkflows(kc, registrations, { controllerNamespace: CONTROLLER_NAMESPACE });
    const gateway = await startGateway({ kubeconfig: kc, clock, host, port: 0, auditClient: stack.audit, controllerNamespace: CONTROLLER_NAMESPACE });
    closers.push(() => gateway.close());
    const investigator = await stack.startInvestigator(stack.createProvider());
    closers.push(() => investigator.close());
    const controllers = await startControllers({
      clock,
      kubeconfig: kc,
      host,
      controllersPort: 0,
      audit: stack.audit,
      dataStorageUrl: stack.dataStorageUrl,
      investigatorUrl: investigator.url,
      prometheusUrl: stack.prometheusUrl,
      alertmanagerUrl: stack.alertmanagerUrl,
    });
    closers.push(() => controllers.close());
    return { gatewayUrl: gateway.url, investigatorUrl: investigator.url, close };
  } catch (e) {
    await close();
    throw e;
  }
}
