import { Kind, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/**
 * Whether the client asked for a field called `name` anywhere below the field being resolved, through fragments.
 * Lets a resolver skip work whose only output is that field. A directive such as @skip is not evaluated: a field
 * skipped that way still counts as asked for, so the answer errs on the side of doing the work.
 */
export function selects(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>, name: string): boolean {
  const seen = new Set<string>(); // fragment spreads already walked (a fragment may be spread many times)
  const walk = (set: SelectionSetNode | undefined): boolean =>
    set?.selections.some((s) => {
      if (s.kind === Kind.FIELD) return s.name.value === name || walk(s.selectionSet);
      if (s.kind === Kind.INLINE_FRAGMENT) return walk(s.selectionSet);
      if (seen.has(s.name.value)) return false;
      seen.add(s.name.value);
      return walk(info.fragments[s.name.value]?.selectionSet);
    }) ?? false;
  return info.fieldNodes.some((f) => walk(f.selectionSet));
}
