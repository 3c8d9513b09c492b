import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildAppSchema } from '../../src/resolvers';

describe('schema.graphql', () => {
  it('is the schema the code emits (run `npm run emit-schema` after changing src/schema or src/resolvers)', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'schema-'));
    try {
      const emitted = path.join(dir, 'schema.graphql');
      await buildAppSchema({ emitSchemaFile: emitted });
      const committed = await fs.readFile(path.resolve(__dirname, '../../schema.graphql'), 'utf8');
      expect(await fs.readFile(emitted, 'utf8')).toBe(committed);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
