import type * as http from 'node:http';
import { ApiKeyVerifier, sha256Hex } from '../../src/server/auth';
import { clientAddress, identifyClient } from '../../src/server/client-identity';

const req = (remoteAddress: string, headers: http.IncomingHttpHeaders = {}) => ({ socket: { remoteAddress }, headers }) as http.IncomingMessage;

describe('clientAddress', () => {
  it('uses the socket address unless proxies are trusted', () => {
    expect(clientAddress(req('198.51.100.7', { 'x-forwarded-for': '203.0.113.1' }), 0)).toBe('198.51.100.7');
  });

  it('takes the entry the N-th trusted proxy added, counting from the right', () => {
    const r = req('10.0.0.2', { 'x-forwarded-for': '1.1.1.1, 203.0.113.9, 10.0.0.1' });
    expect(clientAddress(r, 1)).toBe('10.0.0.1');
    expect(clientAddress(r, 2)).toBe('203.0.113.9');
    expect(clientAddress(r, 9)).toBe('1.1.1.1'); // more hops than entries: the leftmost is all there is
  });

  it('falls back to the socket when the believed entry is not an address', () => {
    expect(clientAddress(req('198.51.100.7', { 'x-forwarded-for': 'not-an-ip' }), 1)).toBe('198.51.100.7');
    expect(clientAddress(req('198.51.100.7'), 1)).toBe('198.51.100.7');
  });

  it('unwraps IPv4-mapped IPv6 and groups IPv6 by /64', () => {
    expect(clientAddress(req('::ffff:198.51.100.7'), 0)).toBe('198.51.100.7');
    expect(clientAddress(req('2001:db8:1:2:aaaa::1'), 0)).toBe('2001:db8:1:2::/64');
    expect(clientAddress(req('2001:db8:1:2:bbbb::9'), 0)).toBe('2001:db8:1:2::/64');
  });
});

describe('identifyClient', () => {
  const keys = new ApiKeyVerifier([sha256Hex('good-key')]);

  it('names a verified key by a prefix of its hash, never the key', () => {
    const id = identifyClient(req('198.51.100.7', { authorization: 'Bearer good-key' }), keys, 0);
    expect(id).toEqual({ kind: 'key', id: `key:${sha256Hex('good-key').slice(0, 16)}` });
    expect(id.id).not.toContain('good-key');
  });

  it('bills a wrong or missing key to the address', () => {
    expect(identifyClient(req('198.51.100.7', { 'x-api-key': 'made-up' }), keys, 0)).toEqual({ kind: 'anonymous', id: 'ip:198.51.100.7' });
    expect(identifyClient(req('198.51.100.7'), keys, 0)).toEqual({ kind: 'anonymous', id: 'ip:198.51.100.7' });
  });
});
