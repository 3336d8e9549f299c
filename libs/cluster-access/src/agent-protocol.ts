/**
 * The outbound agent's tunnel, as data: the frames an agent and the API exchange over the
 * WebSocket, the Redis channels that carry a worker's requests to whichever API replica holds the
 * agent's tunnel, and the bounds on both.
 *
 * DESIGN (multi-replica routing, issue 10): an agent holds one WebSocket to one API replica. That
 * replica SUBSCRIBEs to `<prefix>:agent:req:<clusterId>` while the tunnel is up. A worker (any
 * replica) PUBLISHes a request there naming its own reply channel `<prefix>:agent:reply:<routerId>`;
 * PUBLISH's receiver count is the presence check (0: no replica holds a tunnel for the cluster →
 * an immediate transport error, which the jobs treat like a down cluster). The replica forwards the
 * request over the tunnel and relays the agent's answer (head, body chunks, end — or an error) to
 * the reply channel. When a tunnel drops, its replica answers every request in flight with a
 * transport error at once; a replica that dies outright leaves them to the worker's timeout. A
 * newer tunnel for the same cluster (an agent reconnecting to another replica) announces itself on
 * `<prefix>:agent:ctl:<clusterId>` and the older one is closed; `revokeAgent` uses the same
 * channel, so it reaches the tunnel from whichever replica served the mutation. No replica needs
 * an address or a credential for another: Redis (already shared by every process) is the bus.
 */

/** One request body (a PATCH or a POST from ENFORCE) over the tunnel. */
export const MAX_TUNNEL_REQUEST_BYTES = 1024 * 1024;
/** One response body (a list page) over the tunnel; a larger one fails the request, not the tunnel. */
export const MAX_TUNNEL_RESPONSE_BYTES = 32 * 1024 * 1024;
/** Response bodies stream in chunks of at most this size (base64 in a JSON frame). */
export const TUNNEL_CHUNK_BYTES = 256 * 1024;
/** The WebSocket's frame limit: a chunk plus its envelope. */
export const MAX_TUNNEL_FRAME_BYTES = MAX_TUNNEL_REQUEST_BYTES * 2;
/** The agent says it is alive this often; the API drops a tunnel silent for three times as long. */
export const AGENT_HEARTBEAT_MS = 5_000;
/** An agent gone longer than this turns its cluster UNREACHABLE. */
export const AGENT_DISCONNECT_GRACE_SECONDS = 30;

/** WebSocket close codes the agent acts on. */
export const CLOSE_CREDENTIAL_REFUSED = 4401;
export const CLOSE_REPLACED = 4409;

export const AGENT_CONNECT_PATH = '/agent/v1/connect';
export const AGENT_REGISTER_PATH = '/agent/v1/register';

/** Frames from the API to the agent. */
export type HubFrame =
  | { t: 'req'; id: string; method: string; path: string; headers?: Record<string, string>; body?: string }
  | { t: 'pong' }
  | { t: 'credential'; credential: string }
  | { t: 'revoked'; message: string };

/** Frames from the agent to the API. */
export type AgentFrame =
  | { t: 'hello'; version: string; apiServerUrl?: string }
  | { t: 'res'; id: string; status: number }
  | { t: 'chunk'; id: string; data: string }
  | { t: 'end'; id: string }
  /** upstream: the agent could not reach its own API server (a transport failure of the cluster), else it refused the request. */
  | { t: 'err'; id: string; message: string; upstream?: boolean }
  | { t: 'ping' }
  | { t: 'rotate' };

/** What a worker publishes for the replica holding the tunnel. */
export interface TunnelRequest {
  id: string;
  replyTo: string;
  organizationId: string;
  clusterId: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

/** What that replica publishes back, in order: head, chunks, end — or one error. */
export type TunnelReply =
  | { id: string; k: 'head'; status: number }
  | { id: string; k: 'chunk'; data: string }
  | { id: string; k: 'end' }
  | { id: string; k: 'error'; transport: boolean; message: string; upstream?: boolean };

export const tunnelChannels = {
  request: (prefix: string, clusterId: string) => `${prefix}:agent:req:${clusterId}`,
  reply: (prefix: string, routerId: string) => `${prefix}:agent:reply:${routerId}`,
  control: (prefix: string, clusterId: string) => `${prefix}:agent:ctl:${clusterId}`,
};

/** Control messages on a cluster's control channel. */
export type TunnelControl = { k: 'takeover'; connectionId: string } | { k: 'revoke' };

/** The agent endpoint a public URL implies: wss://host/agent/v1/connect, ws:// only to loopback. */
export function agentEndpointFor(publicUrl: string): string {
  const u = new URL(publicUrl);
  u.protocol = u.protocol === 'http:' ? 'ws:' : 'wss:';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}${AGENT_CONNECT_PATH}`;
  u.search = '';
  return u.toString();
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Plain ws:// carries the agent's credential in clear: only to loopback (development). A reason when refused. */
export function checkAgentEndpoint(endpoint: string): string | null {
  let u: URL;
  try {
    u = new URL(endpoint);
  } catch {
    return 'is not a URL';
  }
  if (u.protocol === 'wss:') return null;
  if (u.protocol === 'ws:') return LOOPBACK.has(u.hostname) || u.hostname.startsWith('127.') ? null : 'uses plain ws:// to a host that is not loopback: use wss://';
  return 'must be a wss:// (or, to loopback, ws://) URL';
}
