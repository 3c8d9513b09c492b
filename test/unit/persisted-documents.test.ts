import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { DOCUMENTS } from '../../src/server/persisted-documents';
import { persistedDocuments } from '../../src/server/persisted-queries';

/** The widgets' documents are the server's persisted set: each must stay valid against the committed schema. */
describe('widget query documents', () => {
  const schema = buildSchema(readFileSync(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));

  it.each(Object.entries(DOCUMENTS))('%s is valid against schema.graphql', (_name, query) => {
    expect(validate(schema, parse(query)).map((e) => e.message)).toEqual([]);
  });

  it('persists the read-only, GET-sized ones under their sha256', () => {
    const docs = [...persistedDocuments().values()];
    expect(docs.map((d) => d.name).sort()).toEqual(['Products', 'Recommendations', 'SearchByText', 'SimilarProducts']);
    for (const d of docs) expect(d.hash).toMatch(/^[0-9a-f]{64}$/);
  });
});
