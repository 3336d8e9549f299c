import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { containersOf, containersPhrase, joinQuote, obj, pluralize, sortedSet, str } from './pod-spec.helpers';

/** Probes and lifecycle handlers aimed at another host (baseline, 1.34+): the kubelet would reach it for the pod. */
export const checkHostProbesAndHostLifecycle: PodSecurityCheck = {
  id: 'hostProbesAndHostLifecycle',
  level: 'baseline',
  versions: [{ minimumVersion: 34, checkPod: (_meta, spec) => hostProbesAndHostLifecycle(spec) }],
};

function hostsOf(handler: unknown): string[] {
  const h = obj(handler);
  if (!h) return [];
  return [str(obj(h.httpGet)?.host), str(obj(h.tcpSocket)?.host)].filter((host) => host !== '');
}

function hostProbesAndHostLifecycle(spec: PodSpec) {
  const badContainers: string[] = [];
  const hosts: string[] = [];
  for (const container of containersOf(spec)) {
    const lifecycle = obj(container.raw.lifecycle);
    const found = [
      ...hostsOf(container.raw.livenessProbe),
      ...hostsOf(container.raw.readinessProbe),
      ...hostsOf(container.raw.startupProbe),
      ...hostsOf(lifecycle?.postStart),
      ...hostsOf(lifecycle?.preStop),
    ];
    if (found.length === 0) continue;
    badContainers.push(container.name);
    hosts.push(...found);
  }
  if (badContainers.length === 0) return ALLOWED;
  const containers = sortedSet(badContainers);
  const distinct = sortedSet(hosts);
  return {
    allowed: false,
    reason: 'probe or lifecycle host',
    detail: `${containersPhrase(containers)} ${pluralize('uses', 'use', containers.length)} ${pluralize('probe or lifecycle host', 'probe or lifecycle hosts', distinct.length)} ${joinQuote(distinct)}`,
  };
}
