import {
  DocumentNode,
  FieldNode,
  FragmentDefinitionNode,
  GraphQLNamedType,
  GraphQLSchema,
  Kind,
  OperationDefinitionNode,
  SelectionSetNode,
  ValueNode,
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
} from 'graphql';
import { DEFAULT_PAGE_SIZE } from './pagination';

/** What one operation asks for, counted as if every fragment were written out where it is spread. */
export interface OperationMeasure {
  /** Every field costs 1; a field's selection is multiplied by the page it returns (see fieldMultiplier). */
  cost: number;
  /** Nesting of fields (fragments add none of their own). */
  depth: number;
  aliases: number;
  directives: number;
  /** Fields at the top of the operation (each alias counts). */
  rootFields: number;
  kind: 'query' | 'mutation' | 'subscription';
  /** The most selections (fields, spreads, inline fragments) written side by side in one selection set. */
  width: number;
  fragments: number;
}

interface SetMeasure {
  cost: number;
  depth: number;
  aliases: number;
  directives: number;
  fields: number;
  width: number;
}

/**
 * Lists whose length the domain bounds below the page size, counted at that bound: a campaign has
 * at most 50 waves (libs/upgrade campaign-plan), so its waves' clusters are not counted 200 × 200.
 */
const BOUNDED_LISTS: Readonly<Record<string, number>> = { 'UpgradeCampaign.waves': 50 };

/** Counts saturate here instead of growing into Infinity or NaN (0 × Infinity) on hostile documents. */
const SATURATED = Number.MAX_SAFE_INTEGER;
const sat = (n: number) => (n > SATURATED || Number.isNaN(n) ? SATURATED : n);
const ZERO: SetMeasure = { cost: 0, depth: 0, aliases: 0, directives: 0, fields: 0, width: 0 };

export interface MeasureOptions {
  /** FLOTILLA_MAX_PAGE_SIZE: the most any list can hold, and the largest `first` a resolver accepts. */
  maxPageSize: number;
  operationName?: string | null;
  /** The request's variables: a page size passed as `first: $n` is costed with the value sent. */
  variables?: Record<string, unknown> | null;
}

/**
 * Measures the operation a request runs in one pass that is linear in the document: each fragment is
 * measured once (memoized by name) and its figures are added wherever it is spread, so fragments that
 * spread each other twice, 24 levels deep, cost 24 fragment visits, not 2^24. Runs before validation,
 * so it must cope with unknown fields (counted as 1) and fragment cycles (a cycle contributes nothing;
 * validation refuses it). When the operation to run is not clear (no operationName with several
 * operations, or a name none has), every operation is counted. Null only for a document without any.
 *
 * Page sizes: a field taking `first` multiplies its selection by `first` (the request's variable
 * value, else the literal, else the default page of 50), at most maxPageSize; any other list field
 * counts at maxPageSize, except a connection's `edges`, whose length the connection's `first` already
 * counted.
 */
export function measureOperation(schema: GraphQLSchema, document: DocumentNode, options: MeasureOptions): OperationMeasure | null {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const def of document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    else if (def.kind === Kind.OPERATION_DEFINITION) operations.push(def);
  }
  const chosen = options.operationName ? operations.find((o) => o.name?.value === options.operationName) : operations.length === 1 ? operations[0] : undefined;
  // Which one runs is not clear (execution will refuse): then every operation counts, so the document still has a bound.
  const measured = chosen ? [chosen] : operations;
  if (measured.length === 0) return null;

  const memo = new Map<string, SetMeasure | 'visiting'>();
  const fragmentMeasure = (name: string): SetMeasure => {
    const known = memo.get(name);
    if (known === 'visiting') return ZERO;
    if (known) return known;
    const frag = fragments.get(name);
    if (!frag) return ZERO;
    memo.set(name, 'visiting');
    const m = setMeasure(frag.selectionSet, schema.getType(frag.typeCondition.name.value));
    memo.set(name, m);
    return m;
  };

  let operation: OperationDefinitionNode = measured[0];
  const pageOf = (value: ValueNode): number | undefined => {
    if (value.kind === Kind.INT) return Number(value.value);
    if (value.kind === Kind.VARIABLE) {
      const sent = options.variables?.[value.name.value];
      if (typeof sent === 'number') return sent;
      const declared = operation.variableDefinitions?.find((d) => d.variable.name.value === value.name.value)?.defaultValue;
      return declared?.kind === Kind.INT ? Number(declared.value) : undefined;
    }
    return undefined;
  };
  const fieldMultiplier = (field: FieldNode, parent: GraphQLNamedType | undefined | null, returnsList: boolean): number => {
    const first = field.arguments?.find((a) => a.name.value === 'first');
    if (first) {
      const n = pageOf(first.value) ?? DEFAULT_PAGE_SIZE;
      return Number.isFinite(n) ? Math.min(Math.max(n, 0), options.maxPageSize) : options.maxPageSize;
    }
    if (!returnsList) return 1;
    if (field.name.value === 'edges' && parent?.name.endsWith('Connection')) return 1;
    const bound = parent ? BOUNDED_LISTS[`${parent.name}.${field.name.value}`] : undefined;
    return bound !== undefined ? Math.min(bound, options.maxPageSize) : options.maxPageSize;
  };

  const setMeasure = (set: SelectionSetNode | undefined, parent: GraphQLNamedType | undefined | null): SetMeasure => {
    if (!set) return ZERO;
    let cost = 0;
    let depth = 0;
    let aliases = 0;
    let directives = 0;
    let fields = 0;
    let width = set.selections.length;
    for (const sel of set.selections) {
      directives += sel.directives?.length ?? 0;
      let m: SetMeasure;
      if (sel.kind === Kind.FIELD) {
        const def = parent && (isObjectType(parent) || isInterfaceType(parent)) ? parent.getFields()[sel.name.value] : undefined;
        const child = def ? getNamedType(def.type) : undefined;
        const inner = setMeasure(sel.selectionSet, child);
        const multiplier = fieldMultiplier(sel, parent, def ? isListType(getNullableType(def.type)) : false);
        m = {
          cost: sat(1 + multiplier * inner.cost),
          depth: inner.depth + 1,
          aliases: sat(inner.aliases + (sel.alias ? 1 : 0)),
          directives: inner.directives,
          fields: 1,
          width: inner.width,
        };
      } else if (sel.kind === Kind.INLINE_FRAGMENT) {
        m = setMeasure(sel.selectionSet, sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : parent);
      } else {
        m = fragmentMeasure(sel.name.value);
      }
      cost = sat(cost + m.cost);
      depth = Math.max(depth, m.depth);
      aliases = sat(aliases + m.aliases);
      directives = sat(directives + m.directives);
      fields = sat(fields + m.fields);
      width = Math.max(width, m.width);
    }
    return { cost, depth, aliases, directives, fields, width };
  };

  const total: OperationMeasure = { cost: 0, depth: 0, aliases: 0, directives: 0, rootFields: 0, kind: measured[0].operation, width: 0, fragments: fragments.size };
  for (const op of measured) {
    operation = op;
    const rootType = op.operation === 'mutation' ? schema.getMutationType() : op.operation === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();
    const m = setMeasure(op.selectionSet, rootType);
    const ownDirectives = (op.directives?.length ?? 0) + (op.variableDefinitions ?? []).reduce((n, v) => n + (v.directives?.length ?? 0), 0);
    total.cost = sat(total.cost + m.cost);
    total.depth = Math.max(total.depth, m.depth);
    total.aliases = sat(total.aliases + m.aliases);
    total.directives = sat(total.directives + m.directives + ownDirectives);
    total.rootFields = sat(total.rootFields + m.fields);
    total.width = Math.max(total.width, m.width);
    if (op.operation === 'mutation') total.kind = 'mutation';
  }
  return total;
}
