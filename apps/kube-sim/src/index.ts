/** kube-sim's programmatic API: start a simulated fleet in-process (tests, dev, bench). */
export { startKubeSim } from './kube-sim.server';
export type { KubeSim, KubeSimOptions } from './kube-sim.server';
export type { ClusterSpec, Flavor, KubeObject } from './content/contract';
export type { ClusterFaults } from './faults/cluster-faults';
