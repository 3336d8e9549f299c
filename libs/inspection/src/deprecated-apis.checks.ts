import { apisRemovedBy, apiVersionOf, parseKubeVersion, RemovedApi } from '@flotilla/upgrade';
import type { InspectionCheck, InspectionSnapshot } from './inspection.types';
import { listOf } from './kube-object';

/** The next minor of the cluster's version, e.g. "v1.30.4+vmware.1" → "v1.31". */
export function nextMinor(version: string): string {
  const v = parseKubeVersion(version);
  return `v${v.major}.${v.minor + 1}`;
}

export function deprecatedApiChecks(s: InspectionSnapshot): InspectionCheck[] {
  const base = { id: 'deprecated-apis', title: 'Deprecated APIs in use', severity: 'HIGH' as const };
  let target: string;
  try {
    target = s.targetVersion ?? nextMinor(s.version);
    parseKubeVersionOrMinor(target);
  } catch (err) {
    return [{ ...base, outcome: 'SKIP', message: `No target version to judge against: ${(err as Error).message}.` }];
  }
  if (!s.deprecatedApisInUse) {
    return [{ ...base, outcome: 'SKIP', message: "The API server's apiserver_requested_deprecated_apis metric was not read." }];
  }
  const removed = apisRemovedBy(target, s.deprecatedApisInUse, s.version);
  if (removed.length === 0) {
    // Still say what is deprecated-in-use, so the next target does not come as a surprise.
    const later = s.deprecatedApisInUse.map((a) => `${apiVersionOf(a)} ${a.resource}${a.removedRelease ? ` (removed in ${a.removedRelease})` : ''}`);
    const tail = later.length > 0 ? ` Deprecated but still served there: ${listOf(later)}.` : '';
    return [{ ...base, id: 'deprecated-apis.none', severity: 'LOW', outcome: 'PASS', message: `No API in use is removed by ${target}.${tail}` }];
  }
  return removed.map((api) => removedCheck(api, target));
}

function removedCheck(api: RemovedApi, target: string): InspectionCheck {
  const apiVersion = apiVersionOf(api);
  const what = `${apiVersion} ${api.kind || api.resource}`;
  const instead = api.replacement ? ` Move its clients and manifests to ${api.replacement}.` : ' No direct replacement is listed: check the release notes.';
  return {
    id: `deprecated-apis.${api.group || 'core'}.${api.version}.${api.resource}`,
    title: `${what} is removed in ${api.removedIn}`,
    severity: 'HIGH',
    outcome: 'FAIL',
    message: `${apiVersion} ${api.resource} is still requested, and ${target} no longer serves it (removed in ${api.removedIn}).${instead}`,
  };
}

function parseKubeVersionOrMinor(v: string): void {
  if (!/^v?\d+\.\d+(\.\d+.*)?$/.test(v.trim())) throw new Error(`not a Kubernetes version: ${JSON.stringify(v)}`);
  if (/^v?\d+\.\d+\./.test(v.trim())) parseKubeVersion(v);
}
