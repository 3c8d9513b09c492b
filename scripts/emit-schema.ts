/** Writes schema.graphql from the type-graphql classes; CI checks the committed copy is current. */
import * as path from 'node:path';
import { buildAppSchema } from '../src/resolvers';

void buildAppSchema({ emitSchemaFile: path.resolve(__dirname, '..', 'schema.graphql') }).then(() => {
  process.stdout.write('schema.graphql written\n');
});
