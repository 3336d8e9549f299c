import { FieldNode, FragmentDefinitionNode, GraphQLResolveInfo, Kind, SelectionSetNode } from 'graphql';

/**
 * The Cluster fields the fleet table's columns (FLEET_TABLE_COLUMNS) answer. Anything else — a
 * field resolver of another module, statusReason, apiServerUrl… — needs the full row.
 */
const TABLE_FIELDS: ReadonlySet<string> = new Set(['__typename', 'id', 'name', 'provider', 'region', 'kubernetesVersion', 'status', 'nodeCount', 'lastSeenAt', 'labels', 'group']);

/** Per parsed document (Mercurius caches documents by their text, so a dashboard's query is walked once). */
const decided = new WeakMap<readonly FieldNode[], boolean>();

/** Whether a `clusters` selection asks each node for no more than the fleet table shows. */
export function asksOnlyFleetTable(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): boolean {
  let answer = decided.get(info.fieldNodes);
  if (answer === undefined) {
    answer = info.fieldNodes.every((f) => fieldsOf(f.selectionSet, info.fragments, 'edges').every((edge) => fieldsOf(edge.selectionSet, info.fragments, 'node').every((node) => fieldsOf(node.selectionSet, info.fragments).every((field) => TABLE_FIELDS.has(field.name.value)))));
    decided.set(info.fieldNodes, answer);
  }
  return answer;
}

/** The fields of a selection set (through fragments; @skip/@include ignored, so a superset), optionally only those named `name`. */
function fieldsOf(set: SelectionSetNode | undefined, fragments: Record<string, FragmentDefinitionNode>, name?: string, seen = new Set<string>()): FieldNode[] {
  const out: FieldNode[] = [];
  for (const s of set?.selections ?? []) {
    if (s.kind === Kind.FIELD) {
      if (name === undefined || s.name.value === name) out.push(s);
    } else if (s.kind === Kind.INLINE_FRAGMENT) {
      out.push(...fieldsOf(s.selectionSet, fragments, name, seen));
    } else if (!seen.has(s.name.value)) {
      seen.add(s.name.value);
      out.push(...fieldsOf(fragments[s.name.value]?.selectionSet, fragments, name, seen));
    }
  }
  return out;
}
