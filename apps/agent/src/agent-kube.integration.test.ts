import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeSim, startKubeSim } from '../../kube-sim/src';
import { fallbackGenerateCluster } from '../../kube-sim/src/fleet/fallback-content';
import { rawRequest } from '../../kube-sim/src/testing/kube-sim.test-helper';
import { AgentKube } from './agent-kube';

// The agent is the last line against a compromised hub: whatever the tunnel asks, it forwards only
// the resource catalogue's methods and paths — even holding a token that could do more.

let sim: KubeSim;
before(async () => {
  sim = await startKubeSim({ clusters: [{ name: 'fwd-1', flavor: 'generic' }], generateCluster: fallbackGenerateCluster, tls: true, port: 0 });
});
after(async () => sim?.stop());

function forward(kube: AgentKube, method: string, path: string): Promise<{ status?: number; body?: string; failed?: string }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let status: number | undefined;
    kube.forward(method, path, { accept: 'application/json', authorization: 'Bearer stolen' }, undefined, {
      head: (s) => (status = s),
      chunk: (d) => chunks.push(d),
      end: () => resolve({ status, body: Buffer.concat(chunks).toString('utf8') }),
      fail: (failed) => resolve({ failed }),
    });
  });
}

test('the agent forwards catalogue reads (streamed) and refuses everything else before it reaches the API server', async () => {
  // An admin token: the refusal is the agent's, not RBAC's.
  const kube = new AgentKube({ server: sim.clusterUrl('fwd-1'), caPem: sim.caPem ?? null, insecureSkipTlsVerify: false, token: () => sim.adminToken('fwd-1') });
  try {
    const nodes = await forward(kube, 'GET', '/api/v1/nodes?limit=500');
    assert.equal(nodes.status, 200);
    assert.equal(JSON.parse(nodes.body!).kind, 'NodeList');
    const before = ((await rawRequest(sim, '/_sim/clusters/fwd-1/clients')).json as Record<string, number>)['flotilla-agent'];
    for (const [method, path] of [
      ['GET', '/api/v1/namespaces/kube-system/secrets'],
      ['POST', '/api/v1/namespaces/default/pods'],
      ['DELETE', '/api/v1/namespaces/default'],
      ['GET', '/api/v1/namespaces/default/pods/x/log'],
    ]) {
      const r = await forward(kube, method, path);
      assert.match(r.failed ?? '', /not a path of Flotilla's resource catalogue/, `${method} ${path}`);
    }
    const afterCount = ((await rawRequest(sim, '/_sim/clusters/fwd-1/clients')).json as Record<string, number>)['flotilla-agent'];
    assert.equal(afterCount, before, 'no refused request reached the API server');
  } finally {
    kube.close();
  }
});
