/**
 * One embedded stack for the whole feature: `kubernaut up` time-scaled (the alert's `for: 3m` and
 * Kubernaut's own waits shrink by story.timeScale; 10 leaves a person-sized 90 s to approve), with the
 * kubelet's mount slowed so the scenario's fault (a race on a real cluster too) is reproducible.
 */
import { AfterAll, BeforeAll, setDefaultTimeout } from '@cucumber/cucumber';
import { startKubernaut } from '../../helpers/kubernaut-process.ts';
import { SCENARIO_KUBELET_DELAYS } from '../../helpers/reference-scenario.ts';
import { story } from './world.ts';

// A step waits for cluster states with its own deadline; this only stops a step that hangs.
setDefaultTimeout(300_000);

BeforeAll({ timeout: 180_000 }, async function () {
  story.stack = await startKubernaut({
    args: ['--ephemeral', '--time-scale', String(story.timeScale), '--kubelet-delays', SCENARIO_KUBELET_DELAYS],
  });
});

AfterAll({ timeout: 60_000 }, async function () {
  await story.stack?.stop();
  story.stack = undefined;
});
