import { HOST_PATH_VOLUMES_ID } from './check-host-path-volumes';
import { ALLOWED, type PodSecurityCheck, type PodSpec } from './pod-security.types';
import { joinQuote, list, obj, pluralize, sortedSet, str } from './pod-spec.helpers';

// Volume types a restricted pod may use: ephemeral or defined through PersistentVolumes.
const ALLOWED_SOURCES = ['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret'];
// The rest, in upstream's order (which decides the type named when a volume sets several).
const RESTRICTED_SOURCES = [
  'hostPath',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'nfs',
  'iscsi',
  'glusterfs',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'fc',
  'azureFile',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'portworxVolume',
  'scaleIO',
  'storageos',
];

/** Only core ephemeral and PersistentVolume-backed volume types (restricted, 1.0+; replaces the hostPath check). */
export const checkRestrictedVolumes: PodSecurityCheck = {
  id: 'restrictedVolumes',
  level: 'restricted',
  versions: [{ minimumVersion: 0, checkPod: (_meta, spec) => restrictedVolumes(spec), overrides: [HOST_PATH_VOLUMES_ID] }],
};

function restrictedVolumes(spec: PodSpec) {
  const badVolumes: string[] = [];
  const badTypes: string[] = [];
  for (const item of list(spec.volumes)) {
    const volume = obj(item) ?? {};
    if (ALLOWED_SOURCES.some((source) => present(volume[source]))) continue;
    const sources = Object.keys(volume).filter((key) => key !== 'name' && present(volume[key]));
    // The API server defaults a volume without any source to emptyDir before admission sees it.
    if (sources.length === 0) continue;
    badVolumes.push(str(volume.name));
    badTypes.push(RESTRICTED_SOURCES.find((source) => present(volume[source])) ?? 'unknown');
  }
  if (badVolumes.length === 0) return ALLOWED;
  const types = sortedSet(badTypes);
  return {
    allowed: false,
    reason: 'restricted volume types',
    detail: `${pluralize('volume', 'volumes', badVolumes.length)} ${joinQuote(badVolumes)} ${pluralize('uses', 'use', badVolumes.length)} ${pluralize('restricted volume type', 'restricted volume types', types.length)} ${joinQuote(types)}`,
  };
}

function present(value: unknown): boolean {
  return value !== undefined && value !== null;
}
