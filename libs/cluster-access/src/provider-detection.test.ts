import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectProvider, detectRegion } from './provider-detection';

test('version suffixes identify vSphere, EKS and GKE', () => {
  assert.equal(detectProvider('v1.30.4+vmware.1', []), 'VSPHERE');
  assert.equal(detectProvider('v1.31.2-eks-7f9249a', []), 'EKS');
  assert.equal(detectProvider('v1.30.5-gke.1014001', []), 'GKE');
});

test('AKS, which adds no suffix, is found from node labels or providerID', () => {
  assert.equal(detectProvider('v1.30.4', [{ labels: { 'kubernetes.azure.com/agentpool': 'nodepool1' } }]), 'AKS');
  assert.equal(detectProvider('v1.30.4', [{ providerID: 'azure:///subscriptions/x/resourceGroups/y' }]), 'AKS');
});

test('providerID schemes identify the provider when nothing else does', () => {
  assert.equal(detectProvider('v1.29.1', [{ providerID: 'vsphere://4211-abcd' }]), 'VSPHERE');
  assert.equal(detectProvider('v1.29.1', [{ providerID: 'aws:///us-east-1a/i-0abc' }]), 'EKS');
  assert.equal(detectProvider('v1.29.1', [{ providerID: 'gce://proj/zone/n' }]), 'GKE');
  assert.equal(detectProvider('v1.29.1', [{ providerID: 'kind://docker/kind/kind-control-plane' }]), 'GENERIC');
});

test('the region is the one most nodes report', () => {
  const nodes: Array<{ labels: Record<string, string> }> = [
    { labels: { 'topology.kubernetes.io/region': 'eu-west-1' } },
    { labels: { 'topology.kubernetes.io/region': 'us-east-1' } },
    { labels: { 'topology.kubernetes.io/region': 'us-east-1' } },
    { labels: {} },
  ];
  assert.equal(detectRegion(nodes), 'us-east-1');
  assert.equal(detectRegion([{ labels: {} }]), null);
});
