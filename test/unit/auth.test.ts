import { ApiKeyVerifier, sha256Hex } from '../../src/server/auth';

describe('ApiKeyVerifier', () => {
  const v = new ApiKeyVerifier([sha256Hex('secret-one'), sha256Hex('secret-two')]);

  it('accepts configured keys and nothing else', () => {
    expect(v.verify('secret-one')).toBe(true);
    expect(v.verify('secret-two')).toBe(true);
    expect(v.verify('secret-three')).toBe(false);
    expect(v.verify('')).toBe(false);
    expect(v.verify(undefined)).toBe(false);
    expect(new ApiKeyVerifier([]).verify('secret-one')).toBe(false);
  });

  it('reads bearer and x-api-key headers', () => {
    expect(ApiKeyVerifier.keyFrom({ authorization: 'Bearer abc' })).toBe('abc');
    expect(ApiKeyVerifier.keyFrom({ authorization: 'bearer   abc ' })).toBe('abc');
    expect(ApiKeyVerifier.keyFrom({ 'x-api-key': 'xyz' })).toBe('xyz');
    expect(ApiKeyVerifier.keyFrom({ authorization: 'Basic Zm9vOmJhcg==' })).toBeUndefined();
  });
});
