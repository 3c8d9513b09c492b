/**
 * Test-only safety net: every TCP connect in this process (net and tls both go through net.Socket#connect) is
 * recorded, and any target that is not a loopback literal or 'localhost' is refused before a packet is sent.
 * Tests assert on `attempts` to prove a refusal happened before connecting, and on `blocked` being empty to prove
 * the code under test never tried to leave the machine.
 */
import net from 'node:net';

import ipaddr from 'ipaddr.js';

export interface LoopbackGuard {
  readonly attempts: string[];
  readonly blocked: string[];
  restore(): void;
}

export function installLoopbackGuard(): LoopbackGuard {
  const attempts: string[] = [];
  const blocked: string[] = [];
  const original = net.Socket.prototype.connect;
  const guarded = function (this: net.Socket, ...args: unknown[]): net.Socket {
    const host = targetHost(args);
    if (host === null) return (original as (...a: unknown[]) => net.Socket).apply(this, args); // unix socket
    attempts.push(host);
    if (!isLoopback(host)) {
      blocked.push(host);
      process.nextTick(() => this.destroy(new Error(`loopback guard: refused connect to ${host}`)));
      return this;
    }
    return (original as (...a: unknown[]) => net.Socket).apply(this, args);
  };
  net.Socket.prototype.connect = guarded as typeof original;
  return { attempts, blocked, restore: () => void (net.Socket.prototype.connect = original) };
}

/** Socket#connect takes (options), (port, host), or Node's internal normalised [options, cb] array. */
function targetHost(args: unknown[]): string | null {
  let first = args[0];
  if (Array.isArray(first)) first = first[0];
  if (first !== null && typeof first === 'object') {
    const o = first as { host?: string; path?: string };
    if (o.path !== undefined) return null;
    return o.host ?? 'localhost';
  }
  return typeof args[1] === 'string' ? args[1] : 'localhost';
}

function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const bare = host.replace(/^\[|\]$/g, '');
  return ipaddr.isValid(bare) && ipaddr.process(bare).range() === 'loopback';
}
