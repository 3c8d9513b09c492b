/**
 * A `net` lookup that resolves a hostname and refuses the connection if ANY resolved address is forbidden.
 *
 * Checking at connect time (not on the URL text) is what defeats DNS rebinding: the address we check is the address
 * the socket connects to. Refusing when any answer is forbidden (rather than filtering) keeps a name that mixes
 * public and private answers from being a coin toss.
 *
 * Node's `net.connect` never calls `lookup` for an IP literal, so literals must be checked separately
 * (see `checkImageUrl` and the connector in image-fetch.adapter.ts).
 */
import dns from 'node:dns';
import type { LookupFunction } from 'node:net';

import { AddressAllowlist, checkAddress } from './address-policy';

export type Resolver = (hostname: string) => Promise<dns.LookupAddress[]>;

const systemResolver: Resolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** Internal signal that the guard refused an address. Carries no address, so it cannot leak one. */
export class AddressForbiddenError extends Error {
  readonly code = 'ERR_IMAGE_ADDRESS_FORBIDDEN';
  constructor() {
    super('image host resolves to a forbidden address');
    this.name = 'AddressForbiddenError';
  }
}

export function createGuardedLookup(allowlist: AddressAllowlist, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname, options, callback) => {
    const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
    resolve(hostname)
      .then((answers) => usableAnswers(hostname, answers, allowlist, wanted))
      .then(
        (usable) => {
          // Node asks for `all` when autoSelectFamily (happy eyeballs) is on, and for one address otherwise.
          if (options.all) callback(null, usable);
          else callback(null, usable[0].address, usable[0].family);
        },
        (err: NodeJS.ErrnoException) => callback(err, '', 0),
      );
  };
}

function usableAnswers(
  hostname: string,
  answers: dns.LookupAddress[],
  allowlist: AddressAllowlist,
  family: 0 | 4 | 6,
): dns.LookupAddress[] {
  if (answers.some((a) => !checkAddress(a.address, allowlist).allowed)) throw new AddressForbiddenError();
  const usable = family === 0 ? answers : answers.filter((a) => a.family === family);
  if (usable.length === 0) {
    const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    err.code = 'ENOTFOUND';
    throw err;
  }
  return usable;
}
