/**
 * The GraphQL operations the CLI sends, copied verbatim from the shared contract
 * (../shared/contract/operations/*.graphql) because the CLI ships without ../shared
 * (only backticks are escaped). operations.test.ts fails when a copy drifts from the contract.
 * CLI_OWN_GRAPHQL holds the few the contract lacks; the API's contract test checks those too.
 */
import { parse } from 'graphql';

/** ../shared/contract/operations/cli.graphql */
export const CLI_GRAPHQL = `# Operations the \`flotilla\` CLI sends. The schema must accept each of them unchanged.

mutation AttachCluster($input: AttachClusterInput!) {
  attachCluster(input: $input) {
    id
    name
    status
    provider
    kubernetesVersion
    apiServerUrl
  }
}

query CliClusters($first: Int, $after: String) {
  clusters(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name provider region kubernetesVersion status nodeCount lastSeenAt } }
  }
}

query CliWhoAmI {
  viewer { role organization { id name } }
}
`;

/** ../shared/contract/operations/registry.graphql */
export const REGISTRY_GRAPHQL = `# Dashboard operations: the cluster registry and fleet overview.
# The API's schema must accept each of them unchanged.

query FleetOverview {
  viewer {
    role
    organization { id name }
  }
  fleetSummary {
    clusterCount
    nodeCount
    byStatus { status count }
    byProvider { provider count }
    byVersion { version count }
  }
}

query ClusterList($filter: ClusterFilter, $first: Int, $after: String, $orderBy: ClusterOrder) {
  clusters(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      cursor
      node {
        id
        name
        provider
        region
        kubernetesVersion
        status
        nodeCount
        lastSeenAt
        labels { key value }
        group { id name }
      }
    }
  }
}

query ClusterDetail($id: ID!) {
  cluster(id: $id) {
    id
    name
    provider
    region
    kubernetesVersion
    status
    statusReason
    apiServerUrl
    nodeCount
    readyNodeCount
    lastSeenAt
    attachedAt
    labels { key value }
    group { id name }
  }
}

query ClusterGroups {
  clusterGroups { id name description clusterCount }
}

mutation CreateClusterGroup($input: CreateClusterGroupInput!) {
  createClusterGroup(input: $input) { id name description }
}

mutation UpdateCluster($id: ID!, $input: UpdateClusterInput!) {
  updateCluster(id: $id, input: $input) {
    id
    labels { key value }
    group { id name }
  }
}

mutation DetachCluster($id: ID!) {
  detachCluster(id: $id) { id status }
}
`;

/** ../shared/contract/operations/compliance.graphql */
export const COMPLIANCE_GRAPHQL = `# Dashboard operations: policies, compliance scans and schedules.
# The API's schema must accept each of them unchanged.

query FleetCompliance {
  fleetSummary {
    compliance {
      compliantClusters
      nonCompliantClusters
      unknownClusters
      violationCount
      lastScanAt
    }
  }
}

query ClusterListCompliance($filter: ClusterFilter, $first: Int, $after: String) {
  clusters(filter: $filter, first: $first, after: $after) {
    totalCount
    edges { node { id name compliance { status violationCount checkedAt } } }
  }
}

query ClusterCompliance($id: ID!) {
  cluster(id: $id) {
    id
    compliance { status violationCount checkedAt }
    policyResults {
      policy { id name type mode }
      status
      checkedAt
      violations { kind namespace name message }
    }
  }
}

query Policies {
  policies {
    id
    name
    type
    mode
    spec
    scope { kind group { id name } cluster { id name } }
    createdAt
  }
}

query Scans($first: Int, $after: String) {
  scans(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id status trigger clusterCount completedCount failedCount startedAt finishedAt } }
  }
}

query ScanDetail($id: ID!) {
  scan(id: $id) {
    id
    status
    trigger
    clusterCount
    completedCount
    failedCount
    startedAt
    finishedAt
    summary { compliant nonCompliant errored violations }
  }
}

query ScanSchedule {
  scanSchedule { cron timezone enabled nextRunAt }
}

mutation CreatePolicy($input: CreatePolicyInput!) {
  createPolicy(input: $input) { id name type mode spec }
}

mutation UpdatePolicy($id: ID!, $input: UpdatePolicyInput!) {
  updatePolicy(id: $id, input: $input) { id name mode spec }
}

mutation DeletePolicy($id: ID!) {
  deletePolicy(id: $id)
}

mutation RunComplianceScan($input: RunComplianceScanInput!) {
  runComplianceScan(input: $input) { id status clusterCount }
}

mutation SetScanSchedule($input: ScanScheduleInput!) {
  setScanSchedule(input: $input) { cron timezone enabled nextRunAt }
}
`;

/** ../shared/contract/operations/upgrades.graphql */
export const UPGRADES_GRAPHQL = `# Dashboard operations: cluster upgrades.
# The API's schema must accept each of them unchanged.

query ClusterUpgrades($id: ID!) {
  cluster(id: $id) {
    id
    kubernetesVersion
    availableUpgrades
    upgrades(first: 5) {
      edges { node { id fromVersion toVersion status phase error startedAt finishedAt } }
    }
  }
}

mutation StartUpgrade($input: StartUpgradeInput!) {
  startUpgrade(input: $input) { id status phase fromVersion toVersion }
}

mutation CancelUpgrade($id: ID!) {
  cancelUpgrade(id: $id) { id status }
}
`;

/** ../shared/contract/operations/inspections.graphql */
export const INSPECTIONS_GRAPHQL = `# Dashboard operations: inspections.
# The API's schema must accept each of them unchanged.

query ClusterInspections($id: ID!) {
  cluster(id: $id) {
    id
    inspections(first: 5) {
      edges { node { id kind status passed failed warnings startedAt finishedAt } }
    }
  }
}

query InspectionDetail($id: ID!) {
  inspection(id: $id) {
    id
    kind
    status
    passed
    failed
    warnings
    cluster { id name }
    checks { id title severity outcome message }
    startedAt
    finishedAt
  }
}

mutation RunInspection($input: RunInspectionInput!) {
  runInspection(input: $input) { id kind status }
}
`;

/** ../shared/contract/operations/access.graphql */
export const ACCESS_GRAPHQL = `# Dashboard operations: API tokens and the audit log.
# The API's schema must accept each of them unchanged.

query ApiTokens {
  apiTokens { id name role createdAt expiresAt lastUsedAt revokedAt }
}

mutation CreateApiToken($input: CreateApiTokenInput!) {
  createApiToken(input: $input) {
    token
    apiToken { id name role expiresAt }
  }
}

mutation RevokeApiToken($id: ID!) {
  revokeApiToken(id: $id) { id revokedAt }
}

query AuditLog($first: Int, $after: String) {
  auditEvents(first: $first, after: $after) {
    pageInfo { hasNextPage endCursor }
    edges { node { id at actor action targetType targetId } }
  }
}
`;

/** ../shared/contract/operations/notifications.graphql */
export const NOTIFICATIONS_GRAPHQL = `# Dashboard operations: outbound webhooks for fleet events.
# The API's schema must accept each of them unchanged.

mutation CreateWebhook($input: CreateWebhookInput!) {
  createWebhook(input: $input) { id url events secret }
}

query Webhooks {
  webhooks {
    id
    url
    events
    lastDeliveryAt
    lastDeliveryStatus
    failingSince
  }
}

mutation DeleteWebhook($id: ID!) {
  deleteWebhook(id: $id)
}
`;

/**
 * What the CLI needs beyond the contract (a cluster's reason and compliance in one list, a failed
 * inspection's error, an upgrade's pre-flight reasons, deleting a group). Kept here, not in
 * ../shared; apps/api/src/schema.contract.test.ts checks the served schema accepts every one.
 */
/** ../shared/contract/operations/campaigns.graphql */
export const CAMPAIGNS_GRAPHQL = `# Dashboard and CLI operations: fleet upgrade campaigns (waves, soak, failure budget, halts,
# maintenance windows, approvals).
# The API's schema must accept each of them unchanged.

query PreviewUpgradeCampaign($input: CreateUpgradeCampaignInput!) {
  previewUpgradeCampaign(input: $input) {
    targetVersion
    waves { name clusters { id name kubernetesVersion } }
    excluded { cluster { id name } reason }
  }
}

mutation CreateUpgradeCampaign($input: CreateUpgradeCampaignInput!) {
  createUpgradeCampaign(input: $input) { id name status targetVersion }
}

query UpgradeCampaigns($first: Int, $after: String) {
  upgradeCampaigns(first: $first, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { id name status targetVersion createdAt finishedAt } }
  }
}

query UpgradeCampaignDetail($id: ID!) {
  upgradeCampaign(id: $id) {
    id
    name
    status
    statusReason
    targetVersion
    failureBudget { maxFailedClusters maxFailedPercent }
    maintenanceWindow { cron durationMinutes timezone nextOpensAt }
    counts { total pending running succeeded failed skipped }
    waves {
      index
      name
      status
      soakMinutes
      requiresApproval
      approvedBy
      startedAt
      soakEndsAt
      finishedAt
      clusters {
        cluster { id name }
        status
        upgrade { id status phase error }
      }
    }
    createdAt
    finishedAt
  }
}

mutation ApproveCampaignWave($id: ID!, $waveIndex: Int!) {
  approveCampaignWave(id: $id, waveIndex: $waveIndex) { id status }
}

mutation PauseUpgradeCampaign($id: ID!) {
  pauseUpgradeCampaign(id: $id) { id status }
}

mutation ResumeUpgradeCampaign($id: ID!) {
  resumeUpgradeCampaign(id: $id) { id status }
}

mutation CancelUpgradeCampaign($id: ID!) {
  cancelUpgradeCampaign(id: $id) { id status statusReason }
}
`;

/** ../shared/contract/operations/governance.graphql */
export const GOVERNANCE_GRAPHQL = `# Dashboard and CLI operations: compliance history and trends, policy exceptions, impact
# preview, custom (CEL) policies.
# The API's schema must accept each of them unchanged.

query ComplianceTrend($from: DateTime!, $to: DateTime!) {
  fleetSummary {
    complianceTrend(from: $from, to: $to, bucket: DAY) {
      at
      compliantClusters
      nonCompliantClusters
      erroredClusters
      violationCount
    }
  }
}

query ClusterComplianceHistory($id: ID!, $from: DateTime!, $to: DateTime!) {
  cluster(id: $id) {
    id
    complianceHistory(from: $from, to: $to) {
      at
      policyName
      status
      violationCount
      scanId
    }
  }
}

query PreviewPolicy($input: CreatePolicyInput!) {
  previewPolicy(input: $input) {
    evaluatedClusters
    wouldViolateClusters
    newlyNonCompliantClusters
    oldestSnapshotAt
    clusters(first: 50) {
      cluster { id name }
      violationCount
      violations(first: 20) { kind namespace name message }
    }
  }
}

mutation RequestPolicyException($input: PolicyExceptionInput!) {
  requestPolicyException(input: $input) { id status expiresAt }
}

mutation ApprovePolicyException($id: ID!) {
  approvePolicyException(id: $id) { id status approvedBy expiresAt }
}

mutation RevokePolicyException($id: ID!) {
  revokePolicyException(id: $id) { id status }
}

query PolicyExceptions($status: [PolicyExceptionStatus!]) {
  policyExceptions(status: $status) {
    id
    policy { id name }
    target { clusterId groupId namespace kind name }
    reason
    ticket
    status
    requestedBy
    approvedBy
    expiresAt
  }
}

query ClusterExemptions($id: ID!) {
  cluster(id: $id) {
    id
    policyResults {
      policy { id name type }
      status
      exempted { kind namespace name message exceptionId }
    }
  }
}
`;

export const CLI_OWN_GRAPHQL = `# Operations only the flotilla CLI sends (checked against the served schema by the contract test).

query CliClusterList($filter: ClusterFilter, $first: Int, $after: String) {
  clusters(filter: $filter, first: $first, after: $after, orderBy: { field: NAME, direction: ASC }) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges {
      node {
        id
        name
        provider
        region
        kubernetesVersion
        status
        statusReason
        nodeCount
        readyNodeCount
        lastSeenAt
        labels { key value }
        group { id name }
        compliance { status violationCount checkedAt reason }
      }
    }
  }
}

query CliClusterDetail($id: ID!) {
  cluster(id: $id) {
    id
    name
    provider
    region
    kubernetesVersion
    status
    statusReason
    apiServerUrl
    nodeCount
    readyNodeCount
    lastSeenAt
    attachedAt
    labels { key value }
    group { id name }
    compliance { status violationCount checkedAt reason }
    policyResults {
      policy { name type mode }
      status
      error
      checkedAt
      violations { kind namespace name message }
    }
    availableUpgrades
    upgrades(first: 3) { edges { node { id fromVersion toVersion status phase error startedAt finishedAt } } }
    inspections(first: 5) { edges { node { id kind status passed failed warnings error finishedAt } } }
  }
}

query CliInspection($id: ID!) {
  inspection(id: $id) {
    id
    kind
    status
    error
    targetVersion
    passed
    failed
    warnings
    cluster { id name }
    checks { id title severity outcome message }
    startedAt
    finishedAt
  }
}

query CliUpgrade($id: ID!) {
  upgrade(id: $id) {
    id
    fromVersion
    toVersion
    status
    phase
    progress
    error
    preflightReasons
    startedAt
    finishedAt
    cluster { id name kubernetesVersion availableUpgrades }
  }
}

query CliClusterUpgrades($id: ID!) {
  cluster(id: $id) {
    id
    name
    status
    kubernetesVersion
    availableUpgrades
    upgrades(first: 20) { edges { node { id fromVersion toVersion status phase progress error startedAt finishedAt } } }
  }
}

mutation CliDeleteClusterGroup($id: ID!) {
  deleteClusterGroup(id: $id) { id name }
}

query CliManagementClusters {
  managementClusters { id name offeredVersions vmClasses storageClasses }
}

query CliPreviewClusterManifests($input: ProvisionClusterInput!) {
  previewClusterManifests(input: $input) { objectCount yaml }
}

mutation CliProvisionCluster($input: ProvisionClusterInput!) {
  provisionCluster(input: $input) { id name status provisioning { phase message managementCluster { id name } } }
}

query CliClusterProvisioning($id: ID!) {
  cluster(id: $id) {
    id
    name
    status
    statusReason
    kubernetesVersion
    nodeCount
    provisioning { phase message startedAt finishedAt managementCluster { id name } }
  }
}

mutation CliDeprovisionCluster($id: ID!) {
  deprovisionCluster(id: $id) { id name status provisioning { phase message } }
}

query CliWorkspaces {
  workspaces { id name description namespaces { cluster { id name } namespace } }
}

mutation CliCreateWorkspace($input: CreateWorkspaceInput!) {
  createWorkspace(input: $input) { id name description }
}

mutation CliAddWorkspaceNamespace($input: WorkspaceNamespaceInput!) {
  addWorkspaceNamespace(input: $input) { id name namespaces { cluster { id name } namespace } }
}

query CliPreviewPolicy($input: CreatePolicyInput!) {
  previewPolicy(input: $input) {
    evaluatedClusters
    notEvaluatedClusters
    wouldViolateClusters
    newlyNonCompliantClusters
    oldestSnapshotAt
    clusters(first: 20) {
      cluster { name }
      violationCount
      violations(first: 3) { kind namespace name message }
    }
  }
}

query CliRecentScanSummaries($first: Int) {
  scans(first: $first) { edges { node { id status createdAt summary { compliant nonCompliant errored violations } } } }
}
`;

/** ../shared/contract/operations/agents.graphql */
export const AGENTS_GRAPHQL = `# Dashboard and CLI operations: how Flotilla reaches each cluster (direct or through its agent),
# agent registrations, and short-lived credentials.
# The API's schema must accept each of them unchanged.

query ClusterConnection($id: ID!) {
  cluster(id: $id) {
    id
    name
    status
    statusReason
    connection {
      mode
      agentVersion
      connectedAt
      lastHeartbeatAt
      credentialExpiresAt
    }
  }
}

query AgentClusters($first: Int, $after: String) {
  clusters(filter: { connectionModes: [AGENT] }, first: $first, after: $after) {
    totalCount
    edges { node { id name status connection { mode agentVersion lastHeartbeatAt } } }
  }
}

mutation RegisterAgentCluster($input: RegisterAgentClusterInput!) {
  registerAgentCluster(input: $input) {
    cluster { id name status connection { mode } }
    registrationToken
    registrationExpiresAt
    agentEndpoint
  }
}

mutation RevokeAgent($clusterId: ID!) {
  revokeAgent(clusterId: $clusterId) { id status connection { mode connectedAt } }
}
`;

export const CONTRACT_FILES: Record<string, string> = {
  cli: CLI_GRAPHQL,
  registry: REGISTRY_GRAPHQL,
  compliance: COMPLIANCE_GRAPHQL,
  upgrades: UPGRADES_GRAPHQL,
  inspections: INSPECTIONS_GRAPHQL,
  access: ACCESS_GRAPHQL,
  agents: AGENTS_GRAPHQL,
  campaigns: CAMPAIGNS_GRAPHQL,
  notifications: NOTIFICATIONS_GRAPHQL,
  governance: GOVERNANCE_GRAPHQL,
};

/** The operation names the CLI may send; a typo is a compile error, not a runtime one. */
export const OPERATION_NAMES = [
  'AttachCluster',
  'CliClusters',
  'CliWhoAmI',
  'ClusterList',
  'ClusterGroups',
  'DetachCluster',
  'UpdateCluster',
  'Policies',
  'CreatePolicy',
  'UpdatePolicy',
  'RunComplianceScan',
  'ScanDetail',
  'ClusterListCompliance',
  'ClusterUpgrades',
  'StartUpgrade',
  'InspectionDetail',
  'RunInspection',
  'CreateClusterGroup',
  'DeletePolicy',
  'Scans',
  'ScanSchedule',
  'SetScanSchedule',
  'CancelUpgrade',
  'ApiTokens',
  'CreateApiToken',
  'RevokeApiToken',
  'CliClusterList',
  'CliClusterDetail',
  'CliInspection',
  'CliUpgrade',
  'CliClusterUpgrades',
  'CliDeleteClusterGroup',
  'RegisterAgentCluster',
  'ClusterConnection',
  'RevokeAgent',
  'CliManagementClusters',
  'CliPreviewClusterManifests',
  'CliProvisionCluster',
  'CliClusterProvisioning',
  'CliDeprovisionCluster',
  'CliWorkspaces',
  'CliCreateWorkspace',
  'CliAddWorkspaceNamespace',
  'PreviewUpgradeCampaign',
  'CreateUpgradeCampaign',
  'UpgradeCampaigns',
  'UpgradeCampaignDetail',
  'ApproveCampaignWave',
  'PauseUpgradeCampaign',
  'ResumeUpgradeCampaign',
  'CancelUpgradeCampaign',
  'CliPreviewPolicy',
  'CreateWebhook',
  'Webhooks',
  'DeleteWebhook',
  'RequestPolicyException',
  'ApprovePolicyException',
  'RevokePolicyException',
  'PolicyExceptions',
  'CliRecentScanSummaries',
] as const;

export type OperationName = (typeof OPERATION_NAMES)[number];

let index: Map<string, string> | undefined;

/** Each operation's own text, sliced verbatim from its file: the API validates only what is sent. */
function operationIndex(): Map<string, string> {
  if (index) return index;
  index = new Map();
  for (const source of [...Object.values(CONTRACT_FILES), CLI_OWN_GRAPHQL]) {
    for (const def of parse(source).definitions) {
      if (def.kind === 'OperationDefinition' && def.name && def.loc) index.set(def.name.value, source.slice(def.loc.start, def.loc.end));
    }
  }
  return index;
}

export function operationText(name: OperationName): string {
  const text = operationIndex().get(name);
  if (!text) throw new Error(`operation ${name} is not in the copied contract`);
  return text;
}
