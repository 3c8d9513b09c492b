import { classifyOrigin, isCrossOrigin, preflightHeaders } from '../../src/server/cors';
import { parsePersistedGet } from '../../src/server/persisted-queries';

describe('classifyOrigin', () => {
  const allowed = ['https://shop.example.com'];
  const verdict = (origin: string | undefined, host = 'api.example.com') => classifyOrigin({ origin, host }, allowed);

  it('tells no origin, same origin, allowed and denied apart', () => {
    expect(verdict(undefined)).toEqual({ kind: 'none' });
    expect(verdict('https://api.example.com')).toEqual({ kind: 'same-origin' });
    expect(verdict('http://API.example.com')).toEqual({ kind: 'same-origin' }); // TLS may end at a proxy
    expect(verdict('https://shop.example.com')).toEqual({ kind: 'allowed', origin: 'https://shop.example.com' });
    expect(verdict('http://shop.example.com')).toEqual({ kind: 'denied', origin: 'http://shop.example.com' });
    expect(verdict('https://shop.example.com.evil.test')).toEqual({ kind: 'denied', origin: 'https://shop.example.com.evil.test' });
    expect(verdict('null')).toEqual({ kind: 'denied', origin: 'null' });
  });

  it('counts allowed and denied as cross-origin (no writes) and never allows a key header', () => {
    expect([verdict(undefined), verdict('https://api.example.com'), verdict('https://shop.example.com'), verdict('null')].map(isCrossOrigin)).toEqual([
      false, false, true, true,
    ]);
    expect(preflightHeaders('https://shop.example.com')['access-control-allow-headers']).toBe('content-type, apollo-require-preflight, x-apollo-operation-name');
  });
});

describe('parsePersistedGet', () => {
  const url = (q: Record<string, string>) => new URL(`http://x/graphql?${new URLSearchParams(q)}`);
  const hash = 'a'.repeat(64);
  const ext = JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } });

  it('reads the APQ wire format and ignores ordinary GETs', () => {
    expect(parsePersistedGet(url({ extensions: ext, variables: '{"id":"p"}', operationName: 'A' }))).toEqual({ hash, variables: { id: 'p' }, operationName: 'A' });
    expect(parsePersistedGet(url({ query: '{__typename}' }))).toBeUndefined();
    expect(parsePersistedGet(url({ query: '{__typename}', extensions: ext }))).toBeUndefined();
  });

  it('says what is wrong with a malformed one', () => {
    expect(parsePersistedGet(url({ extensions: '{' }))).toEqual({ error: 'extensions is not valid JSON' });
    expect(parsePersistedGet(url({ extensions: JSON.stringify({ persistedQuery: { sha256Hash: 'zz' } }) }))).toEqual({ error: 'persistedQuery.sha256Hash must be 64 hex digits' });
    expect(parsePersistedGet(url({ extensions: ext, variables: '[1]' }))).toEqual({ error: 'variables must be a JSON object' });
  });
});
