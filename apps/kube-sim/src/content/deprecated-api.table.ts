/**
 * Deprecated beta APIs and the release that removes them, copied from
 * ../shared/oracles/deprecated-apis/k8s-api-prerelease-lifecycle/lifecycle.json (derived from
 * kubernetes/api's zz_generated.prerelease-lifecycle.go files). Scope: beta resources removed in
 * 1.29 or later, i.e. those a 1.28+ fleet can still be calling. Alpha APIs are left out (off by
 * default, so real clients rarely hit them); so is apidiscovery.k8s.io/v2beta1, which is a
 * discovery document rather than a resource. deprecated-api.table.test.ts checks this table against
 * the JSON. Note the JSON has no rows for group/versions already deleted upstream (autoscaling/v2beta2,
 * policy/v1beta1 …): those were removed by 1.26 and cannot be in use on this fleet anyway.
 */
export interface DeprecatedApi {
  group: string;
  version: string;
  kind: string;
  /** Plural resource name as in the request path and apiserver_requested_deprecated_apis. */
  resource: string;
  introduced: string;
  deprecated: string;
  removed: string;
  /** How likely a seeded cluster's clients use it, relative to the others. */
  weight: number;
}

export const DEPRECATED_APIS: readonly DeprecatedApi[] = [
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta2', kind: 'FlowSchema', resource: 'flowschemas', introduced: '1.23', deprecated: '1.26', removed: '1.29', weight: 3 },
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta2', kind: 'PriorityLevelConfiguration', resource: 'prioritylevelconfigurations', introduced: '1.23', deprecated: '1.26', removed: '1.29', weight: 2 },
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'FlowSchema', resource: 'flowschemas', introduced: '1.26', deprecated: '1.29', removed: '1.32', weight: 5 },
  { group: 'flowcontrol.apiserver.k8s.io', version: 'v1beta3', kind: 'PriorityLevelConfiguration', resource: 'prioritylevelconfigurations', introduced: '1.26', deprecated: '1.29', removed: '1.32', weight: 4 },
  { group: 'authentication.k8s.io', version: 'v1beta1', kind: 'SelfSubjectReview', resource: 'selfsubjectreviews', introduced: '1.27', deprecated: '1.30', removed: '1.33', weight: 3 },
  { group: 'admissionregistration.k8s.io', version: 'v1beta1', kind: 'ValidatingAdmissionPolicy', resource: 'validatingadmissionpolicies', introduced: '1.28', deprecated: '1.31', removed: '1.34', weight: 4 },
  { group: 'admissionregistration.k8s.io', version: 'v1beta1', kind: 'ValidatingAdmissionPolicyBinding', resource: 'validatingadmissionpolicybindings', introduced: '1.28', deprecated: '1.31', removed: '1.34', weight: 3 },
  { group: 'admissionregistration.k8s.io', version: 'v1beta1', kind: 'MutatingAdmissionPolicy', resource: 'mutatingadmissionpolicies', introduced: '1.34', deprecated: '1.37', removed: '1.40', weight: 1 },
  { group: 'admissionregistration.k8s.io', version: 'v1beta1', kind: 'MutatingAdmissionPolicyBinding', resource: 'mutatingadmissionpolicybindings', introduced: '1.34', deprecated: '1.37', removed: '1.40', weight: 1 },
  { group: 'networking.k8s.io', version: 'v1beta1', kind: 'IPAddress', resource: 'ipaddresses', introduced: '1.31', deprecated: '1.34', removed: '1.37', weight: 1 },
  { group: 'networking.k8s.io', version: 'v1beta1', kind: 'ServiceCIDR', resource: 'servicecidrs', introduced: '1.31', deprecated: '1.34', removed: '1.37', weight: 1 },
  { group: 'storage.k8s.io', version: 'v1beta1', kind: 'VolumeAttributesClass', resource: 'volumeattributesclasses', introduced: '1.31', deprecated: '1.34', removed: '1.37', weight: 2 },
  { group: 'resource.k8s.io', version: 'v1beta1', kind: 'DeviceClass', resource: 'deviceclasses', introduced: '1.32', deprecated: '1.35', removed: '1.38', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta1', kind: 'ResourceClaim', resource: 'resourceclaims', introduced: '1.32', deprecated: '1.35', removed: '1.38', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta1', kind: 'ResourceClaimTemplate', resource: 'resourceclaimtemplates', introduced: '1.32', deprecated: '1.35', removed: '1.38', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta1', kind: 'ResourceSlice', resource: 'resourceslices', introduced: '1.32', deprecated: '1.35', removed: '1.38', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta2', kind: 'DeviceClass', resource: 'deviceclasses', introduced: '1.33', deprecated: '1.36', removed: '1.39', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta2', kind: 'DeviceTaintRule', resource: 'devicetaintrules', introduced: '1.36', deprecated: '1.39', removed: '1.42', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta2', kind: 'ResourceClaim', resource: 'resourceclaims', introduced: '1.33', deprecated: '1.36', removed: '1.39', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta2', kind: 'ResourceClaimTemplate', resource: 'resourceclaimtemplates', introduced: '1.33', deprecated: '1.36', removed: '1.39', weight: 1 },
  { group: 'resource.k8s.io', version: 'v1beta2', kind: 'ResourceSlice', resource: 'resourceslices', introduced: '1.33', deprecated: '1.36', removed: '1.39', weight: 1 },
  { group: 'coordination.k8s.io', version: 'v1beta1', kind: 'LeaseCandidate', resource: 'leasecandidates', introduced: '1.33', deprecated: '1.36', removed: '1.39', weight: 1 },
  { group: 'certificates.k8s.io', version: 'v1beta1', kind: 'ClusterTrustBundle', resource: 'clustertrustbundles', introduced: '1.33', deprecated: '1.37', removed: '1.40', weight: 1 },
  { group: 'certificates.k8s.io', version: 'v1beta1', kind: 'PodCertificateRequest', resource: 'podcertificaterequests', introduced: '1.35', deprecated: '1.37', removed: '1.40', weight: 1 },
  { group: 'storagemigration.k8s.io', version: 'v1beta1', kind: 'StorageVersionMigration', resource: 'storageversionmigrations', introduced: '1.35', deprecated: '1.37', removed: '1.40', weight: 1 },
  { group: 'scheduling.k8s.io', version: 'v1beta1', kind: 'PodGroup', resource: 'podgroups', introduced: '1.37', deprecated: '1.40', removed: '1.43', weight: 1 },
  { group: 'scheduling.k8s.io', version: 'v1beta1', kind: 'Workload', resource: 'workloads', introduced: '1.37', deprecated: '1.40', removed: '1.43', weight: 1 },
];

function minorNumber(release: string): number {
  return Number(release.split('.')[1]);
}

/**
 * APIs a cluster at this minor can be calling and apiserver_requested_deprecated_apis would report:
 * served (introduced ≤ minor < removed) and already deprecated (deprecated ≤ minor).
 */
export function deprecatedApisServedAt(minor: number): DeprecatedApi[] {
  return DEPRECATED_APIS.filter((a) => minorNumber(a.introduced) <= minor && minorNumber(a.deprecated) <= minor && minor < minorNumber(a.removed));
}
