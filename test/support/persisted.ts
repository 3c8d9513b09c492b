import type { DocumentName } from '../../src/server/persisted-documents';
import { canonicalJson, persistedDocuments } from '../../src/server/persisted-queries';

const HASHES = new Map([...persistedDocuments().values()].map((d) => [d.name, d.hash]));

/** The GET URL a widget sends for a persisted document (Apollo's APQ wire format). */
export function persistedUrl(endpoint: string, name: DocumentName, variables: Record<string, unknown>, hash = HASHES.get(name)): string {
  const url = new URL(endpoint);
  url.searchParams.set('operationName', name);
  url.searchParams.set('variables', canonicalJson(variables));
  url.searchParams.set('extensions', JSON.stringify({ persistedQuery: { version: 1, sha256Hash: hash } }));
  return url.href;
}
