import dns from 'node:dns';
import net from 'node:net';

import corpus from '../corpus/ssrf-urls.json';
import { checkAddress, checkImageUrl, hostAllowed, literalIpOf, parseAllowlist, parseHostAllowlist } from '../../src/sources/address-policy';
import { AddressForbiddenError, Resolver, createGuardedLookup } from '../../src/sources/guarded-lookup';
import { MAX_URL_LENGTH } from '../../src/sources/limits';

interface Case {
  ip?: string;
  url?: string;
  /** Simulated DNS answers for a hostname URL; without it a hostname URL is judged on its text only. */
  resolvesTo?: string[];
  allow?: string[];
  expect: 'forbidden' | 'allowed';
  note: string;
}

const cases = corpus as Case[];

function fakeResolver(addresses: string[]): Resolver {
  return async () => addresses.map((address) => ({ address, family: net.isIPv6(address) ? 6 : 4 }));
}

/** Runs the guarded lookup the way net.connect does (all: true) and reports whether it refused. */
function lookupVerdict(hostname: string, addresses: string[], allow: string[]): Promise<'forbidden' | 'allowed'> {
  const lookup = createGuardedLookup(parseAllowlist(allow), fakeResolver(addresses));
  return new Promise((resolve, reject) => {
    lookup(hostname, { all: true }, (err) => {
      if (err instanceof AddressForbiddenError) resolve('forbidden');
      else if (err) reject(err);
      else resolve('allowed');
    });
  });
}

async function verdictOf(c: Case): Promise<'forbidden' | 'allowed'> {
  const allow = c.allow ?? [];
  if (c.ip !== undefined) return checkAddress(c.ip, parseAllowlist(allow)).allowed ? 'allowed' : 'forbidden';
  const v = checkImageUrl(c.url!, parseAllowlist(allow));
  if (!v.allowed) return 'forbidden';
  if (literalIpOf(v.url) !== null || c.resolvesTo === undefined) return 'allowed';
  return lookupVerdict(v.url.hostname, c.resolvesTo, allow);
}

describe('SSRF corpus (test/corpus/ssrf-urls.json)', () => {
  it('has both kinds of case and every case names what it covers', () => {
    expect(cases.filter((c) => c.expect === 'forbidden').length).toBeGreaterThan(50);
    expect(cases.filter((c) => c.expect === 'allowed').length).toBeGreaterThan(10);
    for (const c of cases) {
      expect((c.ip === undefined) !== (c.url === undefined)).toBe(true);
      expect(c.note).toBeTruthy();
    }
  });

  it.each(cases.map((c) => [c.expect, c.ip ?? c.url, c.note, c] as const))('%s: %s (%s)', async (expected, _, __, c) => {
    await expect(verdictOf(c)).resolves.toBe(expected);
  });
});

describe('checkImageUrl', () => {
  it('refuses URLs longer than the cap, and accepts one at the cap', () => {
    const base = 'https://example.com/';
    const atCap = base + 'a'.repeat(MAX_URL_LENGTH - base.length);
    expect(checkImageUrl(atCap).allowed).toBe(true);
    expect(checkImageUrl(atCap + 'a')).toEqual({ allowed: false, reason: expect.stringContaining('2048') });
  });

  it('measures the length after percent-encoding expands the URL', () => {
    const url = 'https://example.com/' + 'é'.repeat(400); // each é becomes %C3%A9
    expect(url.length).toBeLessThan(MAX_URL_LENGTH);
    expect(checkImageUrl(url)).toEqual({ allowed: false, reason: `URL is longer than ${MAX_URL_LENGTH} characters` });
  });

  it('relies on the WHATWG parser to normalise numeric IPv4 forms', () => {
    for (const raw of ['http://2130706433/', 'http://0x7f.1/', 'http://0177.0.0.1/', 'http://127.1/']) {
      expect(literalIpOf(new URL(raw))).toBe('127.0.0.1');
    }
    expect(literalIpOf(new URL('http://[::ffff:127.0.0.1]/'))).toBe('::ffff:7f00:1');
    expect(literalIpOf(new URL('http://example.com/'))).toBeNull();
  });

  it('never echoes the address in its reason', () => {
    const v = checkImageUrl('http://169.254.169.254/latest/meta-data/');
    expect(v.allowed).toBe(false);
    expect(JSON.stringify(v)).not.toContain('169.254');
  });
});

describe('parseAllowlist', () => {
  it('rejects entries that are not IPs or CIDRs, naming the entry', () => {
    expect(() => parseAllowlist(['localhost'])).toThrow(new Error('allowedPrivateHosts: "localhost" is not an IP address or CIDR'));
    expect(() => parseAllowlist(['127.0.0.1/33'])).toThrow(/127\.0\.0\.1\/33/);
  });

  it('reads a bare address as that one host, IPv4 or IPv6, around spaces', () => {
    const allow = parseAllowlist([' 10.0.0.7 ', 'fd00::7']);
    expect(allow.v4.map(([a, bits]) => [a.toString(), bits])).toEqual([['10.0.0.7', 32]]);
    expect(allow.v6.map(([a, bits]) => [a.toString(), bits])).toEqual([['fd00::7', 128]]);
    expect(['10.0.0.7', '10.0.0.8', 'fd00::7', 'fd00::8'].map((ip) => checkAddress(ip, allow).allowed)).toEqual([true, false, true, false]);
  });
});

describe('verdicts', () => {
  it('name the range that refused an address', () => {
    expect(
      ['10.0.0.1', '127.0.0.1', '::1', '4000::1', 'fc00::1', '::ffff:10.0.0.1', '2002:a00:1::', '64:ff9b:1::808:808', 'nonsense', '8.8.8.8', '2606:4700::1'].map(
        (ip) => checkAddress(ip),
      ),
    ).toEqual([
      { allowed: false, range: 'private' },
      { allowed: false, range: 'loopback' },
      { allowed: false, range: 'loopback' },
      { allowed: false, range: 'notGlobalUnicast' },
      { allowed: false, range: 'uniqueLocal' },
      { allowed: false, range: 'private' },
      { allowed: false, range: 'private' },
      { allowed: false, range: 'rfc6052' },
      { allowed: false, range: 'invalid' },
      { allowed: true },
      { allowed: true },
    ]);
  });

  it('give each refused URL its reason', () => {
    const long = 'x'.repeat(MAX_URL_LENGTH + 1);
    expect(
      [long, 'not a url', 'ftp://example.com/a.png', 'https://user:pw@example.com/', 'https://user@example.com/', 'http://[::1]/', 'http://10.1.2.3/'].map(
        (u) => checkImageUrl(u),
      ),
    ).toEqual([
      { allowed: false, reason: `URL is longer than ${MAX_URL_LENGTH} characters` },
      { allowed: false, reason: 'URL is not valid' },
      { allowed: false, reason: 'only http and https URLs are allowed' },
      { allowed: false, reason: 'URLs with credentials (user@host) are not allowed' },
      { allowed: false, reason: 'URLs with credentials (user@host) are not allowed' },
      { allowed: false, reason: 'URL points to a forbidden address' },
      { allowed: false, reason: 'URL points to a forbidden address' },
    ]);
    const ok = checkImageUrl(new URL('https://cdn.example/a.png'));
    expect(ok).toEqual({ allowed: true, url: new URL('https://cdn.example/a.png') });
  });

  it('reads the literal out of bracketed IPv6 hosts only', () => {
    expect(['http://[2606:4700::1]/', 'http://8.8.8.8/', 'http://cdn.example/'].map((u) => literalIpOf(new URL(u)))).toEqual([
      '2606:4700::1',
      '8.8.8.8',
      null,
    ]);
  });
});

describe('createGuardedLookup', () => {
  const call = (
    lookup: ReturnType<typeof createGuardedLookup>,
    options: dns.LookupOptions,
  ): Promise<{ err: NodeJS.ErrnoException | null; address: unknown; family?: number }> =>
    new Promise((resolve) => lookup('host.example', options, (err, address, family) => resolve({ err, address, family })));

  it('answers in the single-address form when Node does not ask for all', async () => {
    const lookup = createGuardedLookup(parseAllowlist([]), fakeResolver(['93.184.216.34']));
    await expect(call(lookup, {})).resolves.toEqual({ err: null, address: '93.184.216.34', family: 4 });
  });

  it('filters by the requested family only after judging every answer', async () => {
    const mixed = fakeResolver(['93.184.216.34', '::1']);
    const refused = await call(createGuardedLookup(parseAllowlist([]), mixed), { family: 4, all: true });
    expect(refused.err).toBeInstanceOf(AddressForbiddenError);

    const publicBoth = fakeResolver(['93.184.216.34', '2606:4700:4700::1111']);
    const ok = await call(createGuardedLookup(parseAllowlist([]), publicBoth), { family: 6, all: true });
    expect(ok.address).toEqual([{ address: '2606:4700:4700::1111', family: 6 }]);
  });

  it('reports an empty answer as ENOTFOUND, and passes resolver errors through', async () => {
    const empty = await call(createGuardedLookup(parseAllowlist([]), fakeResolver([])), { all: true });
    expect(empty.err?.code).toBe('ENOTFOUND');
    const failing: Resolver = async () => {
      throw Object.assign(new Error('boom'), { code: 'EAI_AGAIN' });
    };
    const failed = await call(createGuardedLookup(parseAllowlist([]), failing), { all: true });
    expect(failed.err?.code).toBe('EAI_AGAIN');
  });

  it('keeps the refused address out of the error', async () => {
    const res = await call(createGuardedLookup(parseAllowlist([]), fakeResolver(['10.11.12.13'])), { all: true });
    expect(res.err).toBeInstanceOf(AddressForbiddenError);
    expect(String(res.err?.message)).not.toContain('10.11.12.13');
  });
});

describe('host allowlist', () => {
  const list = parseHostAllowlist(['cdn.shop.com', '*.shopifycdn.com', ' IMG.Example.org ', '::1']);

  it.each([
    ['cdn.shop.com', true],
    ['CDN.shop.com', true],
    ['cdn.shop.com.', true],
    ['img.example.org', true],
    ['a.shopifycdn.com', true],
    ['a.b.shopifycdn.com', true],
    ['[::1]', true],
    ['shopifycdn.com', false], // a wildcard names subdomains only
    ['evilshopifycdn.com', false],
    ['cdn.shop.com.evil.net', false],
    ['shop.com', false],
    ['127.0.0.1', false],
    ['.shopifycdn.com', false], // an empty subdomain is none
    ['cdn.[shop.com', false], // brackets come off the ends only
    ['cdn.shop.c]om', false],
  ])('%s -> %p', (host, allowed) => {
    expect(hostAllowed(host, list)).toBe(allowed);
  });

  it('lets every host through when empty (the address rule still decides)', () => {
    expect(hostAllowed('anything.example', parseHostAllowlist([]))).toBe(true);
  });

  it('holds with only exact hosts, or only wildcards, and a host may match any of several wildcards', () => {
    const exactOnly = parseHostAllowlist(['cdn.shop.com']);
    expect(['cdn.shop.com', 'evil.example'].map((h) => hostAllowed(h, exactOnly))).toEqual([true, false]);
    const wildcardsOnly = parseHostAllowlist(['*.shopifycdn.com', '*.cloudfront.net']);
    expect(['a.shopifycdn.com', 'b.cloudfront.net', 'evil.example'].map((h) => hostAllowed(h, wildcardsOnly))).toEqual([true, true, false]);
  });

  it('reads entries as host names of labels of 1 to 63 characters, bracketed IPv6 and wildcards', () => {
    const label63 = 'a'.repeat(63);
    const list = parseHostAllowlist(['x.y.example', 'images.museum', 'cdn.x', `${label63}.example`, '[2606:4700::1]', '*.b.c']);
    expect([...list.exact]).toEqual(['x.y.example', 'images.museum', 'cdn.x', `${label63}.example`, '2606:4700::1']);
    expect(list.suffixes).toEqual(['.b.c']);
    expect(hostAllowed('[2606:4700::1]', list)).toBe(true);
  });

  it.each([
    ['http://cdn.shop.com'],
    ['cdn.shop.com/images'],
    ['*'],
    ['*.'],
    ['a..b'],
    ['*.10.0.0.1x/'],
    ['a[b.example'],
    ['a]b.example'],
    [`${'a'.repeat(64)}.example`],
    ['-cdn.example'],
    ['cdn-.example'],
  ])('refuses the entry %p', (entry) => {
    expect(() => parseHostAllowlist([entry])).toThrow(new Error(`allowedHosts: "${entry}" is not a host name, "*.domain" or IP address`));
  });
});
