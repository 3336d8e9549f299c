/**
 * Provisioning: what previewClusterManifests and provisionCluster spend in the API on the pure
 * part (validate a 2-pool spec against a Supervisor's offers, render, serialise to YAML), and how
 * long kube-sim takes from a created Cluster to Provisioned (three steps of `--step-ms`).
 * `node dist/bench/provisioning.bench.js [--runs 5] [--specs 5000] [--step-ms 100]`: one JSON document.
 */
import { parseArgs } from 'node:util';
import { manifestsYaml, renderClusterManifests, resolveProvisionSpec } from '@flotilla/provisioning';
import { startKubeSim } from '../apps/kube-sim/src';
import { adminRequest } from '../apps/kube-sim/src/testing/kube-sim.test-helper';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' }, specs: { type: 'string', default: '5000' }, 'step-ms': { type: 'string', default: '100' } } });
const runs = Number(values.runs);
const specs = Number(values.specs);
const stepMs = Number(values['step-ms']);

const offers = {
  versions: ['v1.30.8+vmware.1', 'v1.31.4+vmware.1', 'v1.32.3+vmware.1'],
  vmClasses: ['best-effort-xsmall', 'best-effort-small', 'best-effort-medium', 'best-effort-large', 'guaranteed-medium', 'guaranteed-large'],
  storageClasses: ['vsan-default-storage-policy', 'gold-storage-policy'],
};

function stats(xs: number[]) {
  const s = [...xs].sort((a, b) => a - b);
  return { median: s[Math.floor(s.length / 2)], min: s[0], max: s[s.length - 1] };
}

async function main(): Promise<void> {
  const renderUs: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < specs; i++) {
      const res = resolveProvisionSpec({ name: `tkg-dev-${i % 100}`, namespace: 'tkg-dev', version: 'v1.31.4+vmware.1', controlPlaneReplicas: 3, vmClass: 'best-effort-medium', storageClass: 'vsan-default-storage-policy', workers: [{ name: 'general', replicas: 3 }, { name: 'memory', replicas: 2, vmClass: 'guaranteed-large' }], labels: { env: 'dev' } }, offers);
      if (!('spec' in res)) throw new Error('spec refused');
      manifestsYaml(renderClusterManifests(res.spec));
    }
    renderUs.push(Number(process.hrtime.bigint() - t) / 1000 / specs);
  }

  const sim = await startKubeSim({ clusters: [{ name: 'supervisor-01', flavor: 'management' }], rolloutStepMs: stepMs });
  const provisionMs: number[] = [];
  try {
    await adminRequest(sim, 'supervisor-01', '/api/v1/namespaces', { method: 'POST', body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'tkg-dev' } } });
    for (let r = 0; r < runs; r++) {
      const name = `bench-${r}`;
      const path = '/apis/cluster.x-k8s.io/v1beta1/namespaces/tkg-dev/clusters';
      const res = resolveProvisionSpec({ name, namespace: 'tkg-dev', version: 'v1.31.4+vmware.1', controlPlaneReplicas: 3, vmClass: 'best-effort-medium', storageClass: 'vsan-default-storage-policy', workers: [{ name: 'general', replicas: 5 }] }, offers);
      if (!('spec' in res)) throw new Error('spec refused');
      const t = Date.now();
      await adminRequest(sim, 'supervisor-01', path, { method: 'POST', body: renderClusterManifests(res.spec)[0] });
      for (;;) {
        const c = await adminRequest(sim, 'supervisor-01', `${path}/${name}`);
        if (c.json.status?.conditions?.some((x: any) => x.type === 'Ready' && x.status === 'True')) break;
        await new Promise((done) => setTimeout(done, 10));
      }
      provisionMs.push(Date.now() - t);
    }
  } finally {
    await sim.stop();
  }
  process.stdout.write(`${JSON.stringify({ runs, specs, renderMicrosPerSpec: stats(renderUs), kubeSimProvisionMs: { stepMs, ...stats(provisionMs) } }, null, 2)}\n`);
}

void main();
