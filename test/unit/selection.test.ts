import { Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { selects } from '../../src/resolvers/selection';

/** The resolve info of the operation's first root field (the parts `selects` reads). */
function infoOf(doc: string) {
  const defs = parse(doc).definitions;
  const op = defs.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    defs.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((f) => [f.name.value, f]),
  );
  return { fieldNodes: [op.selectionSet.selections[0]] as never, fragments };
}

describe('selects', () => {
  it('finds a field at any depth below the resolved field', () => {
    expect(selects(infoOf('{ a { b { c { duplicates { x } } } } }'), 'duplicates')).toBe(true);
    expect(selects(infoOf('{ a { duplicates } }'), 'duplicates')).toBe(true);
  });

  it('does not count the resolved field itself, its siblings, or names that only contain the name', () => {
    expect(selects(infoOf('{ duplicates { x } }'), 'duplicates')).toBe(false);
    expect(selects(infoOf('{ a { x } duplicates }'), 'duplicates')).toBe(false);
    expect(selects(infoOf('{ a { duplicatesCount myDuplicates } }'), 'duplicates')).toBe(false);
    expect(selects(infoOf('{ a }'), 'duplicates')).toBe(false);
  });

  it('looks inside inline fragments and named fragments, nested and spread more than once', () => {
    expect(selects(infoOf('{ a { results { ... on S { status duplicates { r } } } } }'), 'duplicates')).toBe(true);
    const named = `
      mutation { a { results { ...R ...R } other { ...R } } }
      fragment R on P { ... on S { ...D } }
      fragment D on S { status duplicates { r } }`;
    expect(selects(infoOf(named), 'duplicates')).toBe(true);
    const without = `
      mutation { a { results { ...R } other { ...R } } }
      fragment R on P { ... on S { status } }`;
    expect(selects(infoOf(without), 'duplicates')).toBe(false);
  });

  it('a spread of an unknown fragment counts as nothing', () => {
    expect(selects({ ...infoOf('{ a { ...Missing } }'), fragments: {} }, 'duplicates')).toBe(false);
  });

  it('walks every node of the field (a field asked for twice under one response name)', () => {
    const doc = parse('{ a { x } a { duplicates } }');
    const [first, second] = (doc.definitions[0] as OperationDefinitionNode).selectionSet.selections;
    expect(selects({ fieldNodes: [first, second] as never, fragments: {} }, 'duplicates')).toBe(true);
    expect(selects({ fieldNodes: [first] as never, fragments: {} }, 'duplicates')).toBe(false);
  });
});
