/**
 * Which addresses and URLs the image fetcher may reach. Pure: no DNS, no sockets, so every rule is unit-testable.
 *
 * The rule is an allow-list of kinds: only public unicast addresses pass (ipaddr.js range 'unicast', and for IPv6
 * additionally inside 2000::/3, the only block IANA hands out as global unicast). Everything else — loopback,
 * private, link-local (cloud metadata), CGNAT, unique-local, multicast, reserved, documentation — is refused.
 * Addresses that embed an IPv4 address (IPv4-mapped, IPv4-translated, NAT64 64:ff9b::/96, 6to4) are judged by
 * the embedded address, because that is where the packets end up.
 *
 * `allowlist` exists for tests and local development only (e.g. a fixture server on 127.0.0.1); it overrides the
 * rule exactly for the listed CIDRs and nothing else.
 *
 * A host allowlist (`parseHostAllowlist`) is the normal production setting for catalog imports: image URLs may then
 * only name the merchant's CDN hosts. It narrows the address rule, never widens it: an allowed host must still resolve
 * to a public address.
 */
import ipaddr from 'ipaddr.js';
import { MAX_URL_LENGTH } from './limits';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Cidr = [Address, number];

export interface AddressAllowlist {
  readonly v4: readonly Cidr[];
  readonly v6: readonly Cidr[];
}

export const EMPTY_ALLOWLIST: AddressAllowlist = { v4: [], v6: [] };

export type AddressVerdict = { allowed: true } | { allowed: false; range: string };

export type UrlVerdict =
  | { allowed: true; url: URL }
  | { allowed: false; reason: string };

/** Parses `['127.0.0.1/32', '::1']`; a bare IP means a single host. Throws on anything else, so config fails at boot. */
export function parseAllowlist(entries: readonly string[]): AddressAllowlist {
  const v4: Cidr[] = [];
  const v6: Cidr[] = [];
  for (const entry of entries) {
    const text = entry.trim();
    let cidr: Cidr;
    try {
      if (text.includes('/')) {
        cidr = ipaddr.parseCIDR(text);
      } else {
        const addr = parseStrict(text);
        if (!addr) throw new Error('not an IP address');
        cidr = [addr, addr.kind() === 'ipv4' ? 32 : 128];
      }
    } catch {
      throw new Error(`allowedPrivateHosts: "${entry}" is not an IP address or CIDR`);
    }
    (cidr[0].kind() === 'ipv4' ? v4 : v6).push(cidr);
  }
  return { v4, v6 };
}

/** Judges one resolved or literal IP address (no brackets). Unparsable text is refused. */
export function checkAddress(ip: string, allowlist: AddressAllowlist = EMPTY_ALLOWLIST): AddressVerdict {
  const addr = parseStrict(ip);
  if (!addr) return { allowed: false, range: 'invalid' };
  return addr.kind() === 'ipv4'
    ? checkV4(addr as ipaddr.IPv4, allowlist)
    : checkV6(addr as ipaddr.IPv6, allowlist);
}

/**
 * The checks that need no DNS: length, scheme, userinfo, and — when the host is an IP literal — the address.
 * Hostnames pass here and are judged on their resolved addresses at connect time.
 */
export function checkImageUrl(raw: string | URL, allowlist: AddressAllowlist = EMPTY_ALLOWLIST): UrlVerdict {
  const text = typeof raw === 'string' ? raw : raw.href;
  if (text.length > MAX_URL_LENGTH) return { allowed: false, reason: `URL is longer than ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = typeof raw === 'string' ? new URL(raw) : raw;
  } catch {
    return { allowed: false, reason: 'URL is not valid' };
  }
  // The parser may expand the text (percent-encoding), so measure again.
  if (url.href.length > MAX_URL_LENGTH) return { allowed: false, reason: `URL is longer than ${MAX_URL_LENGTH} characters` };
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return { allowed: false, reason: 'only http and https URLs are allowed' };
  }
  if (url.username !== '' || url.password !== '') {
    return { allowed: false, reason: 'URLs with credentials (user@host) are not allowed' };
  }
  if (url.hostname === '') return { allowed: false, reason: 'URL has no host' };
  const literalIp = literalIpOf(url);
  if (literalIp !== null && !checkAddress(literalIp, allowlist).allowed) {
    return { allowed: false, reason: 'URL points to a forbidden address' };
  }
  return { allowed: true, url };
}

/**
 * The IP address when the URL's host is a literal, else null. The WHATWG parser has already normalised decimal,
 * octal, hex and short IPv4 forms (http://2130706433/, http://0x7f.1/) to dotted quads and bracketed IPv6 to its
 * compressed form, so a strict parse of `hostname` is enough.
 */
export function literalIpOf(url: URL): string | null {
  const host = url.hostname.startsWith('[') && url.hostname.endsWith(']') ? url.hostname.slice(1, -1) : url.hostname;
  return parseStrict(host) ? host : null;
}

/** Only canonical forms: dotted-quad IPv4 or IPv6. ipaddr.parse alone would also accept '0x7f.1' and friends. */
function parseStrict(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

function inAny(addr: Address, cidrs: readonly Cidr[]): boolean {
  return cidrs.some(([net, bits]) => addr.match(net, bits));
}

function checkV4(addr: ipaddr.IPv4, allowlist: AddressAllowlist): AddressVerdict {
  if (inAny(addr, allowlist.v4)) return { allowed: true };
  const range = addr.range();
  return range === 'unicast' ? { allowed: true } : { allowed: false, range };
}

const GLOBAL_UNICAST_V6: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('2000::'), 3];
const NAT64_WELL_KNOWN: [ipaddr.IPv6, number] = [ipaddr.IPv6.parse('64:ff9b::'), 96];

function checkV6(addr: ipaddr.IPv6, allowlist: AddressAllowlist): AddressVerdict {
  if (inAny(addr, allowlist.v6)) return { allowed: true };
  const range = addr.range();
  const p = addr.parts;
  switch (range) {
    case 'ipv4Mapped': // ::ffff:a.b.c.d
    case 'rfc6145': // ::ffff:0:a.b.c.d
      return checkV4(v4From(p[6], p[7]), allowlist);
    case 'rfc6052': // NAT64; only the well-known /96 has the IPv4 address in the last 32 bits
      return addr.match(...NAT64_WELL_KNOWN) ? checkV4(v4From(p[6], p[7]), allowlist) : { allowed: false, range };
    case '6to4': // 2002:AABB:CCDD::/48 carries a.b.c.d in bits 16-48
      return checkV4(v4From(p[1], p[2]), allowlist);
    case 'unicast':
      return addr.match(...GLOBAL_UNICAST_V6) ? { allowed: true } : { allowed: false, range: 'notGlobalUnicast' };
    default:
      return { allowed: false, range };
  }
}

function v4From(hi: number, lo: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
}

/** Host patterns image URLs may name: `cdn.example.com` exactly, or `*.example.com` for any subdomain of it. */
export interface HostAllowlist {
  readonly exact: ReadonlySet<string>;
  readonly suffixes: readonly string[];
}

const HOST_LABELS = /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** Parses `['cdn.shop.com', '*.shopifycdn.com']`. Throws on anything else, so config fails at boot. */
export function parseHostAllowlist(entries: readonly string[]): HostAllowlist {
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of entries) {
    const text = entry.trim().toLowerCase();
    const wildcard = text.startsWith('*.');
    const host = (wildcard ? text.slice(2) : text).replace(/^\[|\]$/g, '');
    const isIp = parseStrict(host) !== null;
    if (!(HOST_LABELS.test(host) || (isIp && !wildcard))) {
      throw new Error(`allowedHosts: "${entry}" is not a host name, "*.domain" or IP address`);
    }
    if (wildcard) suffixes.push(`.${host}`);
    else exact.add(host);
  }
  return { exact, suffixes };
}

/** True when the list is empty or names this host (compared in lowercase, without a trailing dot). */
export function hostAllowed(hostname: string, list: HostAllowlist): boolean {
  if (list.exact.size === 0 && list.suffixes.length === 0) return true;
  const host = hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  return list.exact.has(host) || list.suffixes.some((s) => host.endsWith(s) && host.length > s.length);
}
