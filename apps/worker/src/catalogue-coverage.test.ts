import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isKnownKind, kindOfPlural } from '@flotilla/cluster-access';
import { requiredResources } from '@flotilla/inspection';
import { SNAPSHOT_KINDS } from '@flotilla/policy/policy.types';

// The jobs name kinds (scans) or resources (inspections) that the resource catalogue must know:
// a kind added to a policy or an inspection without its catalogue entry fails here, not on a cluster.
test('every kind a policy reads is in the resource catalogue', () => {
  assert.deepEqual(SNAPSHOT_KINDS.filter((k) => !isKnownKind(k)), []);
});

test('every resource an inspection needs is in the resource catalogue', () => {
  for (const kind of ['CONFORMANCE_LITE', 'RBAC_RISK', 'DEPRECATED_APIS', 'POD_SECURITY'] as const) {
    for (const need of requiredResources(kind)) {
      if (need === 'health' || need === 'deprecated-api-metrics') continue;
      assert.doesNotThrow(() => kindOfPlural(need.split(':')[0]), `${kind} needs ${need}`);
    }
  }
});
