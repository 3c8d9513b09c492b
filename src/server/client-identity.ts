import type * as http from 'node:http';
import ipaddr from 'ipaddr.js';
import type { ClientIdentity } from '../common/request-scope';
import { ApiKeyVerifier, sha256Hex } from './auth';

/**
 * Who a request counts against. A verified API key is the client (its hash, never the key); an absent or wrong
 * key falls back to the client address, so random keys cannot mint fresh budgets. IPv6 clients are grouped by
 * /64, the block one host usually gets, so walking through its addresses does not either.
 */
export function identifyClient(req: http.IncomingMessage, keys: ApiKeyVerifier, trustedProxyHops: number): ClientIdentity {
  const key = ApiKeyVerifier.keyFrom(req.headers);
  if (key && keys.verify(key)) return { kind: 'key', id: `key:${sha256Hex(key).slice(0, 16)}` };
  return { kind: 'anonymous', id: `ip:${clientAddress(req, trustedProxyHops)}` };
}

/**
 * The client's address: the socket peer, or with `trustedProxyHops` = N the N-th X-Forwarded-For entry from the
 * right (each trusted proxy appends the address it saw; entries further left are the client's own claims).
 */
export function clientAddress(req: http.IncomingMessage, trustedProxyHops: number): string {
  const peer = req.socket.remoteAddress ?? 'unknown';
  if (trustedProxyHops === 0) return normalise(peer);
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',').map((s) => s.trim()).filter(Boolean);
  const chain = [...forwarded, peer];
  const claimed = chain[Math.max(0, chain.length - 1 - trustedProxyHops)];
  return ipaddr.isValid(claimed) ? normalise(claimed) : normalise(peer);
}

function normalise(address: string): string {
  if (!ipaddr.isValid(address)) return address;
  const ip = ipaddr.process(address); // IPv4-mapped IPv6 becomes plain IPv4
  if (ip.kind() === 'ipv4') return ip.toString();
  const parts = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `${parts.join(':')}::/64`;
}
