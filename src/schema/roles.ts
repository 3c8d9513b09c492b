/** Roles for `@Authorized`. The auth checker (resolvers/index.ts) grants WRITE to requests with a valid API key. */
export const WRITE = 'WRITE';
