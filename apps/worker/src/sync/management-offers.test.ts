import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClusterClient, KubeApiError, KubeTransport } from '@flotilla/cluster-access';
import { ManagementLinkService } from './management-link.service';

function transport(answer: (path: string) => unknown): KubeTransport {
  return {
    request: async (_m, path) => {
      const a = answer(path.split('?')[0]);
      if (a instanceof Error) throw a;
      return { status: 200, body: JSON.stringify(a) };
    },
    closeIdleConnections: () => undefined,
    close: () => undefined,
  };
}

const links = new ManagementLinkService(null as never, null as never);

test('a management cluster offers its VM classes and storage classes, sorted by name', async () => {
  const client = new ClusterClient(
    transport((p) =>
      p.endsWith('/virtualmachineclasses') ? { items: [{ metadata: { name: 'guaranteed-large' } }, { metadata: { name: 'best-effort-small' } }] } : p.endsWith('/storageclasses') ? { items: [{ metadata: { name: 'vsan-default-storage-policy' } }] } : {},
    ),
  );
  assert.deepEqual(await links.offeredClasses(client), { vmClasses: ['best-effort-small', 'guaranteed-large'], storageClasses: ['vsan-default-storage-policy'] });
});

test('an agent attached before VM-class reads joined its role offers none (its releases still count); other failures are failures', async () => {
  const forbidden = new ClusterClient(transport((p) => (p.endsWith('/virtualmachineclasses') ? new KubeApiError('forbidden', 403, 'Forbidden', false) : p.endsWith('/storageclasses') ? { items: [] } : {})));
  assert.deepEqual(await links.offeredClasses(forbidden), { vmClasses: [], storageClasses: [] });
  const down = new ClusterClient(transport(() => new KubeApiError('unavailable', 503, 'ServiceUnavailable', false)));
  await assert.rejects(links.offeredClasses(down), /unavailable/);
});
