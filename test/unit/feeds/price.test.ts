import { parseCurrency, parsePrice } from '../../../src/feeds/price';

describe('parsePrice', () => {
  it.each([
    ['12.50 USD', undefined, { ok: true, price: 12.5, currency: 'USD' }],
    ['USD 12.50', undefined, { ok: true, price: 12.5, currency: 'USD' }],
    ['  7 eur ', undefined, { ok: true, price: 7, currency: 'EUR' }],
    ['0.99', 'GBP', { ok: true, price: 0.99, currency: 'GBP' }],
    ['19.00 JPY', 'GBP', { ok: true, price: 19, currency: 'JPY' }],
    ['1250', undefined, { ok: true, price: 1250, currency: undefined }],
  ])('%p (default %p) -> %p', (text, def, expected) => {
    expect(parsePrice(text, def)).toEqual(expected);
  });

  it.each([
    ['12,50 EUR', 'INVALID_PRICE', 'price "12,50 EUR" uses a comma; write the amount with a decimal point and no thousands separator, e.g. "12.50"'],
    ['1,250.00 USD', 'INVALID_PRICE', 'price "1,250.00 USD" uses a comma; write the amount with a decimal point and no thousands separator, e.g. "12.50"'],
    ['12.50 XYZ', 'UNKNOWN_CURRENCY', 'currency "XYZ" is not an ISO 4217 code'],
    ['12.50 US', 'INVALID_PRICE', 'price "12.50 US" is not "<amount> <currency>", e.g. "12.50 USD"'],
    ['abc USD', 'INVALID_PRICE', 'price "abc USD" has no valid amount'],
    ['-3.00 USD', 'INVALID_PRICE', 'price "-3.00 USD" has no valid amount'],
    ['12.50 USD extra', 'INVALID_PRICE', 'price "12.50 USD extra" is not "<amount> <currency>", e.g. "12.50 USD"'],
    ['', 'INVALID_PRICE', 'price is empty'],
  ])('refuses %p as %s', (text, code, message) => {
    expect(parsePrice(text)).toEqual({ ok: false, problem: { code, message } });
  });

  it('refuses an unknown default currency too', () => {
    expect(parsePrice('3.00', 'ABC')).toMatchObject({ ok: false, problem: { code: 'UNKNOWN_CURRENCY' } });
    expect(parseCurrency(undefined)).toBeUndefined();
    expect(parseCurrency(' chf ')).toEqual({ ok: true, currency: 'CHF' });
  });
});
