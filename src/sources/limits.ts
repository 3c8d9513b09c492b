/** Size limits on how a client may point at an image, shared by the URL policy and the GraphQL input bounds. */

export const MAX_URL_LENGTH = 2048;

/** 10 MiB of image bytes as base64, plus slack for a data: prefix. */
export const MAX_BASE64_LENGTH = Math.ceil((10 * 1024 * 1024 * 4) / 3) + 64;
