import { GraphQLFieldResolver, GraphQLSchema, isObjectType } from 'graphql';
import { ClusterGroupModel } from '../clusters/cluster-group.model';
import type { ClusterModel } from '../clusters/cluster.model';

/**
 * A field whose value its parent may already carry, and how to hand it over: `undefined` means the
 * parent carries nothing and the field's own (Nest) resolver must load it.
 */
interface PreloadedField<P> {
  type: string;
  field: string;
  preloaded: (parent: P) => unknown;
}

const PRELOADED: ReadonlyArray<PreloadedField<any>> = [
  // The fleet list reads each cluster's group in its own statement; 50 rows a page.
  {
    type: 'Cluster',
    field: 'group',
    preloaded: (c: ClusterModel) => (c.preloadedGroup === undefined ? undefined : c.preloadedGroup && ClusterGroupModel.unCounted(c.preloadedGroup)),
  },
];

/**
 * Nest runs every field resolver through its per-call pipeline (guards, exception filters, parameter
 * decorators: fieldResolverEnhancers), which on a fleet page cost more than the rest of the field.
 * For data the parent already carries, that pipeline guards nothing: the root resolver that read it
 * passed the guards (for every viewer field resolvers need no more: AuthGuard only checks the
 * viewer, root operations of a workspace token and @RequireRole, which no field resolver has), and
 * handing over a loaded value cannot throw. So such a field answers from its parent directly, and
 * only when the parent carries nothing does the Nest resolver run, enhancers and all.
 */
export function answerPreloadedFields(schema: GraphQLSchema): GraphQLSchema {
  for (const { type, field, preloaded } of PRELOADED) {
    const objectType = schema.getType(type);
    const definition = isObjectType(objectType) ? objectType.getFields()[field] : undefined;
    const viaNest = definition?.resolve;
    if (!definition || !viaNest) throw new Error(`preloaded field ${type}.${field} has no resolver to fall back on`);
    const resolve: GraphQLFieldResolver<unknown, unknown> = (parent, args, context, info) => {
      const value = preloaded(parent);
      return value === undefined ? viaNest(parent, args, context, info) : value;
    };
    definition.resolve = resolve;
  }
  return schema;
}
