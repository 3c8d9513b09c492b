import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import {
  buildSchema,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLSchema,
} from 'graphql';

/** Every schema item a client can see, by its coordinate (`Type`, `Type.field`, `Type.field(arg)`, `Enum.VALUE`), with its description. */
function describedItems(schema: GraphQLSchema): [string, string | null | undefined][] {
  const items: [string, string | null | undefined][] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    items.push([type.name, type.description]);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        items.push([`${type.name}.${field.name}`, field.description]);
        for (const arg of field.args) items.push([`${type.name}.${field.name}(${arg.name})`, arg.description]);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) items.push([`${type.name}.${field.name}`, field.description]);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) items.push([`${type.name}.${value.name}`, value.description]);
    }
  }
  return items;
}

describe('schema.graphql documentation', () => {
  let schema: GraphQLSchema;
  beforeAll(async () => {
    schema = buildSchema(await fs.readFile(path.resolve(__dirname, '../../schema.graphql'), 'utf8'));
  });

  it('describes every type, field, argument, input field and enum value (built-in types aside)', () => {
    const undocumented = describedItems(schema)
      .filter(([, description]) => !description?.trim())
      .map(([coordinate]) => coordinate);
    expect(undocumented).toEqual([]);
  });

  it('walks the whole schema (the check above cannot pass by seeing nothing)', () => {
    const coordinates = new Set(describedItems(schema).map(([c]) => c));
    for (const c of ['Query', 'Mutation.saveMerchandisingRule(input)', 'ProductFilterInput.colors', 'ErrorCode.INVALID_CURSOR', 'FacetValue.count', 'ErrorResult.message']) {
      expect(coordinates).toContain(c);
    }
    expect(coordinates.size).toBeGreaterThan(400);
  });
});
