import { isAbstractType, type GraphQLSchema } from 'graphql';
import { getMetadataStorage } from 'type-graphql';

/**
 * type-graphql wraps every union's and interface's `resolveType` in an async function, even when ours answer at
 * once (members are class instances, results.union.ts). A promise there costs a microtask per result and keeps the
 * schema off graphql-jit, which needs a synchronous answer. This replaces each with a lookup of the value's class
 * among the type's members; a value no member class claims still goes to the original resolver, so behaviour (and
 * its error) is type-graphql's.
 */
export function synchronousTypeResolution(schema: GraphQLSchema): GraphQLSchema {
  const nameOfClass = new Map<Function, string>(getMetadataStorage().objectTypes.map((t) => [t.target, t.name]));
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isAbstractType(type) || type.name.startsWith('__') || !type.resolveType) continue;
    const members = new Set(schema.getPossibleTypes(type).map((t) => t.name));
    const original = type.resolveType;
    type.resolveType = (value, context, info, abstractType) => {
      const name = value !== null && typeof value === 'object' ? nameOfClass.get(value.constructor) : undefined;
      return name !== undefined && members.has(name) ? name : original(value, context, info, abstractType);
    };
  }
  return schema;
}
