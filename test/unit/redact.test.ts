import { redact, redactText } from '../../src/common/redact';

describe('redact', () => {
  it('censors credential keys at any depth, and base64 image fields', () => {
    const input = {
      headers: { authorization: 'Bearer k-123', 'x-api-key': 'k-456', accept: 'application/json' },
      es: { auth: { username: 'elastic', password: 'changeme' }, apiKey: 'ZXMta2V5' },
      variables: { image: { base64: 'iVBORw0KGgo=' }, first: 3 },
      list: [{ token: 't' }, 'plain'],
    };
    expect(redact(input)).toEqual({
      headers: { authorization: '[Redacted]', 'x-api-key': '[Redacted]', accept: 'application/json' },
      es: { auth: '[Redacted]', apiKey: '[Redacted]' },
      variables: { image: { base64: '[Redacted]' }, first: 3 },
      list: [{ token: '[Redacted]' }, 'plain'],
    });
    expect(input.headers.authorization).toBe('Bearer k-123'); // the input is untouched
  });

  it('scrubs secrets out of free text: URL userinfo, auth schemes, base64 runs', () => {
    expect(redactText('connect ECONNREFUSED http://elastic:changeme@10.0.0.7:9200/_search')).toBe(
      'connect ECONNREFUSED http://[Redacted]@10.0.0.7:9200/_search',
    );
    expect(redactText('sent Authorization: Bearer abc.def-123 to it')).toBe('sent Authorization: Bearer [Redacted] to it');
    const b64 = Buffer.alloc(300, 7).toString('base64');
    expect(redactText(`image data:image/jpeg;base64,${b64} refused`)).toBe(`image data:image/jpeg;base64,[Redacted base64, ${b64.length} chars] refused`);
    // Hashes and ids stay readable.
    const sha = 'a'.repeat(64);
    expect(redactText(`product p-1 image ${sha}`)).toBe(`product p-1 image ${sha}`);
  });

  it('turns errors, buffers and cycles into something loggable', () => {
    const cyclic: Record<string, unknown> = { name: 'x' };
    cyclic.self = cyclic;
    const out = redact({ err: new Error('failed for http://u:p@h/'), bytes: Buffer.alloc(5), cyclic }) as Record<string, any>;
    expect(out.err).toMatchObject({ name: 'Error', message: 'failed for http://[Redacted]@h/' });
    expect(out.bytes).toBe('[5 bytes]');
    expect(out.cyclic).toEqual({ name: 'x', self: '[Circular]' });
  });
});
