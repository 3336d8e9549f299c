import { BlockList, isIP } from 'node:net';
import { InputValidationError } from '@flotilla/validation';

function refuse(field: string, reason: string): never {
  throw new InputValidationError(field, reason);
}

export const WEBHOOK_URL_MAX = 2048;
const HOST_LABEL = /^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$/;
const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

export interface WebhookUrlOptions {
  /**
   * Development only (FLOTILLA_WEBHOOK_ALLOW_HTTP_LOOPBACK): `http://` and loopback destinations
   * (localhost, 127.0.0.1, ::1 — and only those) are accepted. Off, only https:// to hosts that
   * resolve to public addresses.
   */
  allowHttpLoopback: boolean;
}

/**
 * A webhook destination as a client gives it: https (http only to localhost/127.0.0.1/::1 with the
 * development flag), no credentials, no fragment, the default port or any explicit one, a host
 * that is a DNS name or an IP literal that is not private, loopback (unless allowed), link-local
 * or otherwise special. What a name resolves to is checked again at every delivery
 * (addressRefusal), since DNS can change after creation.
 */
export function webhookUrl(raw: string, options: WebhookUrlOptions, field: string): string {
  if (typeof raw !== 'string' || raw.trim().length === 0) refuse(field, 'is required');
  if (raw.length > WEBHOOK_URL_MAX) refuse(field, `must be at most ${WEBHOOK_URL_MAX} characters`);
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    return refuse(field, 'is not a valid URL');
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const loopback = isLoopbackHost(host);
  if (url.protocol === 'http:') {
    if (!options.allowHttpLoopback) refuse(field, 'must be an https:// URL');
    if (!loopback) refuse(field, 'must be an https:// URL (http:// only for localhost, 127.0.0.1 or ::1 in development)');
  } else if (url.protocol !== 'https:') {
    refuse(field, 'must be an https:// URL');
  }
  if (url.username || url.password) refuse(field, 'must not contain credentials');
  if (url.hash) refuse(field, 'must not contain a fragment');
  if (isIP(host)) {
    const why = addressRefusal(host, options);
    if (why) refuse(field, `must not point at ${why}`);
  } else {
    const name = host.replace(/\.$/, '');
    if (name.length === 0 || name.length > 253 || !name.split('.').every((l) => l.length <= 63 && HOST_LABEL.test(l))) {
      refuse(field, 'must name its host by a DNS name of at most 253 characters or by an IP address');
    }
    if (loopback && !options.allowHttpLoopback) refuse(field, 'must not point at a loopback address');
    if (name.endsWith('.localhost') || name === 'localhost.localdomain') refuse(field, 'must not point at a loopback address');
  }
  return url.toString();
}

export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_NAMES.has(host.replace(/^\[(.*)\]$/, '$1').toLowerCase());
}

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

/** Every range that is not the public internet (RFC 6890 special-purpose registries, the parts that matter). */
const FORBIDDEN: Array<[string, number, 'ipv4' | 'ipv6', string]> = [
  ['0.0.0.0', 8, 'ipv4', 'an unspecified address'],
  ['10.0.0.0', 8, 'ipv4', 'a private address'],
  ['100.64.0.0', 10, 'ipv4', 'a shared (carrier-grade NAT) address'],
  ['169.254.0.0', 16, 'ipv4', 'a link-local address'],
  ['172.16.0.0', 12, 'ipv4', 'a private address'],
  ['192.0.0.0', 24, 'ipv4', 'a reserved address'],
  ['192.168.0.0', 16, 'ipv4', 'a private address'],
  ['198.18.0.0', 15, 'ipv4', 'a reserved address'],
  ['224.0.0.0', 4, 'ipv4', 'a multicast address'],
  ['240.0.0.0', 4, 'ipv4', 'a reserved address'],
  ['::', 128, 'ipv6', 'an unspecified address'],
  ['fc00::', 7, 'ipv6', 'a private (unique local) address'],
  ['fe80::', 10, 'ipv6', 'a link-local address'],
  ['ff00::', 8, 'ipv6', 'a multicast address'],
  ['64:ff9b:1::', 48, 'ipv6', 'a reserved address'],
];
const FORBIDDEN_LISTS = FORBIDDEN.map(([net, bits, family, why]) => {
  const list = new BlockList();
  list.addSubnet(net, bits, family);
  return { list, family, why };
});

/**
 * Why a delivery may not go to this resolved address (null: it may). Loopback only with the
 * development flag; private, link-local, multicast and reserved ranges never. IPv4-mapped IPv6
 * addresses (::ffff:10.0.0.1) are judged as the IPv4 address they carry.
 */
export function addressRefusal(address: string, options: WebhookUrlOptions): string | null {
  let ip = address.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(ip);
  if (mapped) ip = mapped[1];
  // The WHATWG URL parser spells a mapped address in hex: ::ffff:a00:1 is 10.0.0.1.
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(ip);
  if (mappedHex) {
    const [hi, lo] = [parseInt(mappedHex[1], 16), parseInt(mappedHex[2], 16)];
    ip = [hi >> 8, hi & 255, lo >> 8, lo & 255].join('.');
  }
  const family = isIP(ip) === 4 ? 'ipv4' : isIP(ip) === 6 ? 'ipv6' : null;
  if (!family) return 'an address that is not an IP address';
  if (LOOPBACK.check(ip, family)) return options.allowHttpLoopback ? null : 'a loopback address';
  for (const f of FORBIDDEN_LISTS) if (f.family === family && f.list.check(ip, family)) return f.why;
  return null;
}
