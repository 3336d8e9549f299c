import { parseDocument } from 'yaml';
import { CliError, EXIT_USAGE } from './cli-error';

/** A campaign file as written: clusters and groups by name (or id), the rest as CreateUpgradeCampaignInput. */
export interface CampaignDocument {
  name: string;
  targetVersion: string;
  selector: { clusters?: string[]; groups?: string[]; labels?: Record<string, string>; providers?: string[] };
  waves?: Array<Record<string, unknown>>;
  maxConcurrent?: number;
  failureBudget?: { maxFailedClusters?: number; maxFailedPercent?: number };
  maintenanceWindow?: { cron: string; durationMinutes: number; timezone?: string };
  haltOn?: { onUnreachable?: boolean; onComplianceRegression?: boolean };
}

const TOP = ['name', 'targetVersion', 'selector', 'waves', 'maxConcurrent', 'failureBudget', 'maintenanceWindow', 'haltOn'];
const SELECTOR = ['clusters', 'groups', 'labels', 'providers'];
const WAVE = ['name', 'clusterCount', 'clusterPercent', 'soakMinutes', 'requiresApproval'];
const BUDGET = ['maxFailedClusters', 'maxFailedPercent'];
const WINDOW = ['cron', 'durationMinutes', 'timezone'];
const HALT = ['onUnreachable', 'onComplianceRegression'];

/**
 * Parses campaign.yaml, reporting every problem at once before anything is sent (exit 2):
 *
 *   name: spring-1-31
 *   targetVersion: v1.31.4+vmware.1
 *   selector: { clusters: [tkg-prod-01], groups: [prod], labels: { env: prod }, providers: [VSPHERE] }
 *   waves: [{ clusterCount: 1, soakMinutes: 30 }, { clusterPercent: 10 }, { requiresApproval: true }]
 *   maxConcurrent: 5
 *   failureBudget: { maxFailedClusters: 1 }
 *   maintenanceWindow: { cron: "0 2 * * *", durationMinutes: 240, timezone: Europe/Berlin }
 *   haltOn: { onUnreachable: true, onComplianceRegression: true }
 */
export function parseCampaignFile(text: string, source: string): CampaignDocument {
  const doc = parseDocument(text);
  if (doc.errors.length) throw new CliError(`${source}: invalid YAML: ${doc.errors[0].message.split('\n')[0]}`, EXIT_USAGE);
  const v: unknown = doc.toJS();
  const problems: string[] = [];
  const obj = (x: unknown, where: string, keys: string[]): Record<string, unknown> | null => {
    if (x === undefined || x === null) return null;
    if (typeof x !== 'object' || Array.isArray(x)) {
      problems.push(`${where} must be a mapping`);
      return null;
    }
    for (const k of Object.keys(x)) if (!keys.includes(k)) problems.push(`${where}: unknown key ${JSON.stringify(k)} (expected ${keys.join(', ')})`);
    return x as Record<string, unknown>;
  };
  const str = (x: unknown, where: string, required = false) => {
    if (x === undefined || x === null) {
      if (required) problems.push(`${where} is required`);
      return;
    }
    if (typeof x !== 'string' || !x.trim()) problems.push(`${where} must be a non-empty string`);
  };
  const int = (x: unknown, where: string) => {
    if (x !== undefined && x !== null && !Number.isInteger(x)) problems.push(`${where} must be a whole number`);
  };
  const bool = (x: unknown, where: string) => {
    if (x !== undefined && x !== null && typeof x !== 'boolean') problems.push(`${where} must be true or false`);
  };
  const list = (x: unknown, where: string) => {
    if (x !== undefined && x !== null && (!Array.isArray(x) || x.some((e) => typeof e !== 'string'))) problems.push(`${where} must be a list of strings`);
  };
  const top = obj(v, source, TOP);
  if (!top) throw new CliError(`${source}: ${problems[0] ?? 'is empty: expected a campaign (name, targetVersion, selector, …)'}`, EXIT_USAGE);
  str(top.name, 'name', true);
  str(top.targetVersion, 'targetVersion', true);
  const sel = obj(top.selector, 'selector', SELECTOR);
  if (!sel) problems.push('selector is required: name clusters, groups, labels or providers');
  else {
    list(sel.clusters, 'selector.clusters');
    list(sel.groups, 'selector.groups');
    list(sel.providers, 'selector.providers');
    const labels = obj(sel.labels, 'selector.labels', Object.keys((sel.labels as object) ?? {}));
    if (labels) for (const [k, val] of Object.entries(labels)) if (typeof val !== 'string') problems.push(`selector.labels.${k} must be a string`);
  }
  if (top.waves !== undefined) {
    if (!Array.isArray(top.waves)) problems.push('waves must be a list');
    else
      top.waves.forEach((w, i) => {
        const wave = obj(w, `waves[${i}]`, WAVE);
        if (!wave) return;
        str(wave.name, `waves[${i}].name`);
        int(wave.clusterCount, `waves[${i}].clusterCount`);
        int(wave.clusterPercent, `waves[${i}].clusterPercent`);
        int(wave.soakMinutes, `waves[${i}].soakMinutes`);
        bool(wave.requiresApproval, `waves[${i}].requiresApproval`);
      });
  }
  int(top.maxConcurrent, 'maxConcurrent');
  const budget = obj(top.failureBudget, 'failureBudget', BUDGET);
  if (budget) for (const k of BUDGET) int(budget[k], `failureBudget.${k}`);
  const win = obj(top.maintenanceWindow, 'maintenanceWindow', WINDOW);
  if (win) {
    str(win.cron, 'maintenanceWindow.cron', true);
    if (!Number.isInteger(win.durationMinutes)) problems.push('maintenanceWindow.durationMinutes is required: a whole number of minutes');
    str(win.timezone, 'maintenanceWindow.timezone');
  }
  const halt = obj(top.haltOn, 'haltOn', HALT);
  if (halt) for (const k of HALT) bool(halt[k], `haltOn.${k}`);
  if (problems.length) throw new CliError(`${source}: ${problems.join('; ')}`, EXIT_USAGE);
  return top as unknown as CampaignDocument;
}
