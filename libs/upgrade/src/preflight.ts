import { compareParsed, coreVersion, KubeVersion, parseKubeVersion } from './kube-version';
import { apiVersionOf, DeprecatedApiInUse } from './removed-api.model';
import { apisRemovedBy } from './removed-apis';
import { checkKubeletSkew, checkUpgradeSkew, SkewVerdict } from './upgrade-skew';

export interface PreflightInput {
  /** Flotilla's connection status of the cluster; only CONNECTED may be upgraded. */
  clusterStatus: string;
  nodes: Array<{ name: string; ready: boolean; kubeletVersion: string }>;
  currentVersion: string;
  targetVersion: string;
  /** Releases the management cluster offers (TKR names or ClusterClass versions). */
  offeredVersions: string[];
  /** True when Cluster API on a linked management cluster manages this cluster (the only kind Flotilla upgrades). */
  managed: boolean;
  upgradeInProgress: boolean;
  deprecatedApisInUse: DeprecatedApiInUse[];
}

export interface PreflightResult {
  ok: boolean;
  /** Every failing reason, in operator wording; empty when ok. */
  reasons: string[];
}

/** Everything that must hold before Flotilla patches Cluster.spec.topology.version. Collects all reasons, never stops at the first. */
export function runPreflight(input: PreflightInput): PreflightResult {
  const reasons: string[] = [];
  if (!input.managed) {
    reasons.push('The cluster is not managed by Cluster API, so it is not upgradeable from Flotilla: upgrade it with its provider.');
  }
  if (input.clusterStatus !== 'CONNECTED') {
    reasons.push(`The cluster is ${input.clusterStatus}, not CONNECTED: Flotilla must reach it to follow the rollout.`);
  }
  if (input.upgradeInProgress) reasons.push('Another upgrade of this cluster is already in progress.');
  if (input.nodes.length === 0) reasons.push('The cluster reports no nodes.');
  const notReady = input.nodes.filter((n) => !n.ready).map((n) => n.name);
  if (notReady.length > 0) reasons.push(`Nodes not Ready: ${notReady.join(', ')}.`);

  let target: KubeVersion | undefined;
  try {
    target = parseKubeVersion(input.targetVersion);
  } catch (err) {
    reasons.push(`Target ${(err as Error).message}.`);
  }
  if (target) {
    const t = target;
    const offered = input.offeredVersions.some((o) => sameRelease(o, t));
    if (!offered) reasons.push(`${input.targetVersion} is not offered by the management cluster.`);
    const skew = checkUpgradeSkew(input.currentVersion, input.targetVersion);
    if (!skew.allowed) reasons.push(`${capitalise(skew.reason)}.`);
    reasons.push(...kubeletsTooOld(input.nodes, t));
    try {
      for (const api of apisRemovedBy(input.targetVersion, input.deprecatedApisInUse, input.currentVersion)) {
        const what = `${apiVersionOf(api)} ${api.resource}`;
        const instead = api.replacement ? `; move clients to ${api.replacement}` : '';
        reasons.push(`${what} is still requested and ${coreVersion(t)} no longer serves it (removed in ${api.removedIn})${instead}.`);
      }
    } catch (err) {
      reasons.push(`${capitalise((err as Error).message)}.`);
    }
  }
  return { ok: reasons.length === 0, reasons };
}

function sameRelease(offered: string, target: KubeVersion): boolean {
  try {
    return compareParsed(parseKubeVersion(offered), target) === 0;
  } catch {
    return false;
  }
}

/** kubelets the new API server would no longer support (they must be upgraded first). */
function kubeletsTooOld(nodes: PreflightInput['nodes'], target: KubeVersion): string[] {
  const out: string[] = [];
  for (const n of nodes) {
    let verdict: SkewVerdict;
    try {
      verdict = checkKubeletSkew(target.raw, n.kubeletVersion);
    } catch {
      out.push(`Node ${n.name} reports an unreadable kubelet version ${JSON.stringify(n.kubeletVersion)}.`);
      continue;
    }
    if (!verdict.allowed) out.push(`Node ${n.name}: ${verdict.reason} after the upgrade.`);
  }
  return out;
}

// Sentence case, but a leading version keeps its "v".
function capitalise(s: string): string {
  return /^v\d/.test(s) ? s : s.charAt(0).toUpperCase() + s.slice(1);
}
