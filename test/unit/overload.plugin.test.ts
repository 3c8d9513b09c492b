import { HeaderMap } from '@apollo/server';
import { overloadPlugin } from '../../src/server/overload.plugin';

type Result = { data?: Record<string, unknown> | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };

async function send(result: Result): Promise<{ status?: number; retryAfter?: string }> {
  const hooks = await overloadPlugin().requestDidStart!({} as never);
  const response = { body: { kind: 'single' as const, singleResult: result }, http: { status: undefined as number | undefined, headers: new HeaderMap() } };
  await hooks!.willSendResponse!({ response } as never);
  return { status: response.http.status, retryAfter: response.http.headers.get('retry-after') };
}

const err = (code: string) => ({ message: 'x', extensions: { code } });

describe('overloadPlugin', () => {
  it('turns a response whose only story is OVERLOADED into 503 + Retry-After', async () => {
    expect(await send({ data: null, errors: [err('OVERLOADED')] })).toEqual({ status: 503, retryAfter: '1' });
    expect(await send({ data: { a: null, b: null }, errors: [err('OVERLOADED'), err('OVERLOADED')] })).toEqual({ status: 503, retryAfter: '1' });
  });

  it('leaves everything else alone', async () => {
    const untouched = { status: undefined, retryAfter: undefined };
    expect(await send({ data: { a: 1 } })).toEqual(untouched);
    expect(await send({ data: null, errors: [err('OVERLOADED'), err('SEARCH_BACKEND_UNAVAILABLE')] })).toEqual(untouched);
    expect(await send({ data: { a: { hits: [] }, b: null }, errors: [err('OVERLOADED')] })).toEqual(untouched);
    expect(await send({ data: null, errors: [err('INTERNAL_SERVER_ERROR')] })).toEqual(untouched);
  });
});
