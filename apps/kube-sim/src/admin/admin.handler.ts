/**
 * The admin API under /_sim/ (no authentication; loopback only): list, create and delete clusters,
 * kubeconfigs and admin tokens, faults, rollout speed and status, history compaction and clock
 * skew. Bad input is a 400 with a JSON message.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { Flavor } from '../content/contract';
import type { RolloutController } from '../controllers/rollout.controller';
import { clusterFaultsSchema } from '../faults/cluster-faults';
import type { ClusterRecord } from '../fleet/cluster-record';
import type { FleetRegistry } from '../fleet/fleet.registry';
import { readBody, sendJson, sendRaw } from '../http/http-io';
import { buildKubeconfig } from './kubeconfig.builder';

const FLAVORS: [Flavor, ...Flavor[]] = ['vsphere', 'eks', 'gke', 'aks', 'generic', 'management'];
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

const createSchema = z
  .object({
    name: z.string().max(63).regex(NAME, 'must be a lowercase RFC 1123 label (a-z, 0-9, "-")'),
    flavor: z.enum(FLAVORS),
    version: z.string().regex(/^v\d+\.\d+\.\d+\S*$/, 'must look like v1.31.2 (provider suffixes allowed)').optional(),
    nodes: z.number().int().min(0).max(5000).optional(),
    seed: z.number().int().optional(),
    managedBy: z.string().optional(),
    region: z.string().optional(),
  })
  .strict();

const rolloutSchema = z.object({ stepMs: z.number().int().min(0).max(3_600_000) }).strict();
const clockSchema = z.object({ offsetSeconds: z.number() }).strict();

class AdminError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AdminDeps {
  fleet: FleetRegistry;
  rollouts: RolloutController;
  adminToken: (name: string) => string;
  forgetCluster: (name: string) => void;
  /** Called after a cluster's faults change (a cluster that goes down drops its open watches). */
  faultsChanged: (record: ClusterRecord) => void;
  caPem?: string;
}

export class AdminHandler {
  constructor(private readonly d: AdminDeps) {}

  summary(record: ClusterRecord): Record<string, unknown> {
    const s = this.d.fleet.summary(record);
    return {
      name: record.spec.name,
      flavor: record.spec.flavor,
      url: this.d.fleet.serverUrlFor(record.spec.name),
      version: s.version,
      nodes: s.nodes,
      ...(record.spec.managedBy ? { managedBy: record.spec.managedBy } : {}),
      ...(record.spec.region ? { region: record.spec.region } : {}),
      ...(record.provisionedBy ? { provisionedBy: record.provisionedBy } : {}),
    };
  }

  async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    try {
      await this.route(req, res, path);
    } catch (err) {
      if (err instanceof AdminError) sendJson(res, err.code, { error: err.message });
      else {
        process.stderr.write(`kube-sim admin: ${(err as Error).stack ?? String(err)}\n`);
        sendJson(res, 500, { error: (err as Error).message });
      }
    }
  }

  private cluster(name: string): ClusterRecord {
    const r = this.d.fleet.get(name);
    if (!r) throw new AdminError(404, `cluster "${name}" not found`);
    return r;
  }

  private async body<T>(req: IncomingMessage, schema: z.ZodType<T>): Promise<T> {
    const text = await readBody(req);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw new AdminError(400, 'the body must be a JSON object');
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      throw new AdminError(400, parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
    }
    return parsed.data;
  }

  private async route(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const parts = path.split('/').filter((p) => p !== '').map(decodeURIComponent);
    const method = req.method ?? 'GET';
    const { fleet } = this.d;
    if (parts.length === 0 || (parts.length === 1 && parts[0] === 'health')) {
      sendJson(res, 200, { status: 'ok', clusters: fleet.size() });
      return;
    }
    if (parts[0] === 'ca.crt' && parts.length === 1) {
      if (!this.d.caPem) throw new AdminError(404, 'TLS is off: there is no CA');
      sendRaw(res, 200, 'application/x-pem-file', this.d.caPem);
      return;
    }
    if (parts[0] !== 'clusters') throw new AdminError(404, `no admin endpoint ${method} /_sim${path}`);
    if (parts.length === 1) {
      if (method === 'GET') {
        sendJson(res, 200, fleet.names().map((n) => this.summary(fleet.get(n)!)));
        return;
      }
      if (method === 'POST') {
        const spec = await this.body(req, createSchema);
        if (fleet.get(spec.name)) throw new AdminError(409, `cluster "${spec.name}" already exists`);
        if (spec.managedBy !== undefined) {
          const m = fleet.get(spec.managedBy);
          if (!m) throw new AdminError(400, `managedBy: cluster "${spec.managedBy}" does not exist`);
          if (m.spec.flavor !== 'management') throw new AdminError(400, `managedBy: cluster "${spec.managedBy}" is not a management cluster`);
        }
        const record = fleet.add(spec);
        sendJson(res, 201, this.summary(record));
        return;
      }
      throw new AdminError(405, `${method} is not allowed on /_sim/clusters`);
    }
    const record = this.cluster(parts[1]);
    const name = record.spec.name;
    const sub = parts.slice(2).join('/');
    switch (`${method} ${sub}`) {
      case 'GET ':
        sendJson(res, 200, { ...this.summary(record), faults: record.faults, rolloutStepMs: this.d.rollouts.stepMs(record) });
        return;
      case 'DELETE ':
        fleet.remove(name);
        this.d.forgetCluster(name);
        sendJson(res, 200, { deleted: name });
        return;
      case 'GET kubeconfig':
        sendRaw(res, 200, 'application/yaml', buildKubeconfig(name, fleet.serverUrlFor(name), this.d.adminToken(name), this.d.caPem));
        return;
      case 'GET admin-token':
        sendJson(res, 200, { token: this.d.adminToken(name) });
        return;
      case 'GET clients':
        // Who dialled this cluster's API (by User-Agent product): lets a test prove a process never did.
        sendJson(res, 200, Object.fromEntries(record.clientCount));
        return;
      case 'GET faults':
        sendJson(res, 200, record.faults);
        return;
      case 'PUT faults':
        record.faults = await this.body(req, clusterFaultsSchema);
        this.d.faultsChanged(record);
        sendJson(res, 200, record.faults);
        return;
      case 'PATCH faults':
        record.faults = { ...record.faults, ...(await this.body(req, clusterFaultsSchema)) };
        this.d.faultsChanged(record);
        sendJson(res, 200, record.faults);
        return;
      case 'GET rollout':
        sendJson(res, 200, { stepMs: this.d.rollouts.stepMs(record), rollouts: this.d.rollouts.status(name) });
        return;
      case 'PUT rollout':
        record.rolloutStepMs = (await this.body(req, rolloutSchema)).stepMs;
        sendJson(res, 200, { stepMs: record.rolloutStepMs, rollouts: this.d.rollouts.status(name) });
        return;
      case 'POST compact': {
        const store = fleet.store(record);
        store.compact();
        record.continueFloor = store.rv;
        fleet.markDirty(record);
        sendJson(res, 200, { compactedAt: String(store.rv) });
        return;
      }
      case 'PUT clock':
        record.clockOffsetMs = (await this.body(req, clockSchema)).offsetSeconds * 1000;
        sendJson(res, 200, { offsetSeconds: record.clockOffsetMs / 1000 });
        return;
      default:
        throw new AdminError(404, `no admin endpoint ${method} /_sim${path}`);
    }
  }
}
