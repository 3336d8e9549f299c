import { FieldNode, FragmentDefinitionNode, GraphQLError, Kind, SelectionSetNode, ValidationContext, ValidationRule, valueFromASTUntyped } from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination';

/**
 * A bound on what one query may ask for: every field costs 1, and a field taking `first`
 * multiplies the cost of what it selects by that page size (50 when absent). The dashboard's
 * heaviest query (50 clusters with labels and group) costs a few hundred; a query that nests
 * pages of pages is refused before it runs.
 */
export function queryCostRule(maxCost: number): ValidationRule {
  return (context: ValidationContext) => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);

    const costOf = (set: SelectionSetNode | undefined, seen: Set<string>): number => {
      if (!set) return 0;
      let total = 0;
      for (const sel of set.selections) {
        if (sel.kind === Kind.FIELD) total += fieldCost(sel, seen);
        else if (sel.kind === Kind.INLINE_FRAGMENT) total += costOf(sel.selectionSet, seen);
        else if (!seen.has(sel.name.value)) {
          const frag = fragments.get(sel.name.value);
          total += costOf(frag?.selectionSet, new Set([...seen, sel.name.value]));
        }
      }
      return total;
    };
    const fieldCost = (field: FieldNode, seen: Set<string>): number => {
      const first = field.arguments?.find((a) => a.name.value === 'first');
      let multiplier = 1;
      if (first) {
        // Validation runs before variables are known: `first: $n` counts as the default page size.
        const v = first.value.kind === Kind.VARIABLE ? undefined : valueFromASTUntyped(first.value);
        multiplier = typeof v === 'number' && v > 0 ? v : DEFAULT_PAGE_SIZE;
      }
      return 1 + multiplier * costOf(field.selectionSet, seen);
    };

    return {
      OperationDefinition(op) {
        const cost = costOf(op.selectionSet, new Set());
        if (cost > maxCost) {
          context.reportError(
            new GraphQLError(`query is too expensive: cost ${cost} exceeds ${maxCost} (ask for smaller pages or fewer nested lists)`, {
              nodes: [op],
              extensions: { code: 'QUERY_TOO_EXPENSIVE', cost, maxCost },
            }),
          );
        }
      },
    };
  };
}
