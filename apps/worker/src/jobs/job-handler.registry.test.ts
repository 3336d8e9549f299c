import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobName } from '@flotilla/queue';
import { JobHandlerRegistry } from './job-handler.registry';

test('the worker refuses to start while a job name has no handler, naming it', () => {
  const registry = new JobHandlerRegistry();
  for (const name of Object.values(JobName).filter((n) => n !== JobName.RunInspection)) registry.register(name, async () => undefined);
  assert.throws(() => registry.assertComplete(), /no handler for run-inspection/);
  registry.register(JobName.RunInspection, async () => undefined);
  assert.doesNotThrow(() => registry.assertComplete());
});

test('a job name takes exactly one handler', () => {
  const registry = new JobHandlerRegistry();
  registry.register(JobName.SyncCluster, async () => undefined);
  assert.throws(() => registry.register(JobName.SyncCluster, async () => undefined), /already has a handler/);
});
