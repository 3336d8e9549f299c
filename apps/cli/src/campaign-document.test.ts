import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseCampaignFile } from './campaign-document';
import { CliError } from './cli-error';

test('a campaign file with every section parses as written', () => {
  const doc = parseCampaignFile(
    `name: spring
targetVersion: v1.31.4+vmware.1
selector: { clusters: [tkg-01], groups: [prod], labels: { env: prod }, providers: [VSPHERE] }
waves: [{ clusterCount: 1, soakMinutes: 30 }, { clusterPercent: 10 }, { requiresApproval: true }]
maxConcurrent: 5
failureBudget: { maxFailedClusters: 1 }
maintenanceWindow: { cron: "0 2 * * *", durationMinutes: 240, timezone: Europe/Berlin }
haltOn: { onUnreachable: true }
`,
    'campaign.yaml',
  );
  assert.equal(doc.name, 'spring');
  assert.deepEqual(doc.selector.labels, { env: 'prod' });
  assert.equal(doc.waves?.length, 3);
});

test('every problem is reported at once, naming the key, as a usage error', () => {
  assert.throws(
    () => parseCampaignFile(`name: x\nselector: { cluster: [a] }\nwaves: [{ clusterCount: many }]\nmaxConcurent: 3\n`, 'c.yaml'),
    (e: CliError) => {
      assert.equal(e.exitCode, 2);
      assert.match(e.message, /targetVersion is required/);
      assert.match(e.message, /selector: unknown key "cluster"/);
      assert.match(e.message, /waves\[0\]\.clusterCount must be a whole number/);
      assert.match(e.message, /unknown key "maxConcurent"/);
      return true;
    },
  );
});
