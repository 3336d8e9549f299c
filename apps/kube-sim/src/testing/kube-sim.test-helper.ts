/** Shared by kube-sim's tests: clients for a running simulator, and raw HTTP(S) requests against it. */
import http from 'node:http';
import https from 'node:https';
import { gunzipSync } from 'node:zlib';
import { KubeConfig } from '@kubernetes/client-node';
import type { KubeSim } from '../kube-sim.server';

export function kubeConfigFor(sim: KubeSim, cluster: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(sim.kubeconfig(cluster));
  if (token) {
    const user = kc.getCurrentUser();
    if (user) (user as { token?: string }).token = token;
    kc.users = kc.users.map((u) => ({ ...u, token }));
  }
  return kc;
}

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  json: any;
  /** Bytes received (compressed, when the answer was gzip). */
  wireBytes: number;
}

export function rawRequest(sim: KubeSim, path: string, opts: { method?: string; token?: string | null; body?: unknown; contentType?: string; headers?: Record<string, string> } = {}): Promise<RawResponse> {
  const url = new URL(path, sim.url);
  const body = opts.body === undefined ? undefined : typeof opts.body === 'string' || Buffer.isBuffer(opts.body) ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (body !== undefined) headers['Content-Type'] = opts.contentType ?? 'application/json';
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method: opts.method ?? 'GET', headers, ca: sim.caPem, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const wire = Buffer.concat(chunks);
        const text = (res.headers['content-encoding'] === 'gzip' ? gunzipSync(wire) : wire).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, wireBytes: wire.length });
      });
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error(`timeout: ${path}`)));
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A cluster-scoped request as its admin. */
export function adminRequest(sim: KubeSim, cluster: string, path: string, opts: Parameters<typeof rawRequest>[2] = {}): Promise<RawResponse> {
  return rawRequest(sim, `/clusters/${cluster}${path}`, { token: sim.adminToken(cluster), ...opts });
}
