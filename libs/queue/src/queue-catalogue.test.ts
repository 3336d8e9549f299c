import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JobName, jobIds, parsePayload, InvalidJobPayloadError } from './queue-catalogue';

const id = '0b6f4a8e-2d7c-4f7e-9b1a-3c5d7e9f1a2b';

test('job ids are deterministic and use no character BullMQ refuses', () => {
  assert.equal(jobIds.scanCluster(id, id), jobIds.scanCluster(id, id));
  for (const j of [jobIds.syncCluster(id, '2026-11-25T13:00:00.000Z'), jobIds.scanCluster(id, id), jobIds.runUpgrade(id), jobIds.runInspection(id)]) {
    assert.ok(!j.includes(':'), j);
  }
});

test('payloads are validated as the worker takes them', () => {
  assert.deepEqual(parsePayload(JobName.SyncCluster, { organizationId: id, clusterId: id }), { organizationId: id, clusterId: id });
  assert.throws(() => parsePayload(JobName.SyncCluster, { organizationId: id }), InvalidJobPayloadError);
  assert.throws(() => parsePayload(JobName.ScanCluster, null), InvalidJobPayloadError);
});
