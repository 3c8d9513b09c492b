import { problem, type RowProblem } from './feed-record';

/** ISO 4217 codes this runtime knows (Node ships full ICU), so no hand-kept list can drift. */
const CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

export type ParsedPrice = { ok: true; price: number; currency?: string } | { ok: false; problem: RowProblem };

const AMOUNT = /^\d+(?:\.\d+)?$/;
const CODE = /^[A-Za-z]{3}$/;

/**
 * A feed price: "12.50 USD" (Google's form), "USD 12.50", or a bare amount that takes `defaultCurrency` (Shopify
 * exports and many CSVs carry the shop currency nowhere else). A decimal comma ("12,50 EUR") is refused rather than
 * guessed: "1,250 EUR" would read as 1.25 in one locale and 1250 in another. Thousands separators likewise.
 */
export function parsePrice(text: string, defaultCurrency?: string): ParsedPrice {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  if (parts.length === 0) return bad('INVALID_PRICE', 'price is empty');
  let amount: string;
  let code: string | undefined;
  if (parts.length === 1) amount = parts[0]!;
  else if (parts.length === 2 && CODE.test(parts[1]!)) [amount, code] = parts as [string, string];
  else if (parts.length === 2 && CODE.test(parts[0]!)) [code, amount] = parts as [string, string];
  else return bad('INVALID_PRICE', `price "${text}" is not "<amount> <currency>", e.g. "12.50 USD"`);
  if (amount.includes(',')) {
    return bad('INVALID_PRICE', `price "${text}" uses a comma; write the amount with a decimal point and no thousands separator, e.g. "12.50"`);
  }
  if (!AMOUNT.test(amount)) return bad('INVALID_PRICE', `price "${text}" has no valid amount`);
  const currency = parseCurrency(code ?? defaultCurrency);
  if (currency !== undefined && !currency.ok) return currency;
  return { ok: true, price: Number(amount), currency: currency?.currency };
}

/** An ISO 4217 code in upper case, or the problem; undefined in, undefined out. */
export function parseCurrency(code: string | undefined): { ok: true; currency: string } | { ok: false; problem: RowProblem } | undefined {
  if (code === undefined || code.trim() === '') return undefined;
  const upper = code.trim().toUpperCase();
  if (!CURRENCIES.has(upper)) return bad('UNKNOWN_CURRENCY', `currency "${code.trim()}" is not an ISO 4217 code`);
  return { ok: true, currency: upper };
}

function bad(code: 'INVALID_PRICE' | 'UNKNOWN_CURRENCY', message: string): { ok: false; problem: RowProblem } {
  return { ok: false, problem: problem(code, message) };
}
