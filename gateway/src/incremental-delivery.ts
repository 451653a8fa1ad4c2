import { handleFederationSupergraph, type UnifiedGraphHandler } from '@graphql-mesh/fusion-runtime';
import { unifiedGraphHandler as rustPlannedGraph } from '@graphql-hive/router-runtime';
import { createDefaultExecutor } from '@graphql-tools/delegate';
import { GraphQLDeferDirective, GraphQLStreamDirective, type Executor } from '@graphql-tools/utils';
import { BREAK, GraphQLSchema, Kind, visit, type DocumentNode } from 'graphql';

/** Documents already looked at (the runtime parses each distinct text once, so the same object comes back). */
const incremental = new WeakMap<DocumentNode, boolean>();

/** Whether an operation asks for incremental delivery: a `@defer` or `@stream` anywhere in it. */
export function asksForIncrementalDelivery(document: DocumentNode): boolean {
  let found = incremental.get(document);
  if (found !== undefined) return found;
  found = false;
  visit(document, {
    Directive(node) {
      if (node.name.value !== 'defer' && node.name.value !== 'stream') return undefined;
      found = true;
      return BREAK;
    },
  });
  incremental.set(document, found);
  return found;
}

const streamless = new WeakMap<DocumentNode, DocumentNode>();

/** A subgraph request's document without `@stream`: the gateway streams the list it gets whole. */
function withoutStream(document: DocumentNode): DocumentNode {
  let without = streamless.get(document);
  if (without === undefined) {
    without = visit(document, { Directive: (node) => (node.name.value === 'stream' ? null : undefined) });
    streamless.set(document, without);
  }
  return without;
}

/** An operation that reads the schema itself (`__schema` or `__type` at its root). */
const introspects = (document: DocumentNode) =>
  document.definitions.some(
    (definition) =>
      definition.kind === Kind.OPERATION_DEFINITION &&
      definition.selectionSet.selections.some(
        (selection) =>
          selection.kind === Kind.FIELD && (selection.name.value === '__schema' || selection.name.value === '__type'),
      ),
  );

/**
 * The served schema with `@defer` and `@stream` declared. Declared here rather
 * than added by the runtime's `deferStream` plugin: that plugin would replace
 * the schema with a copy, and the runtime knows each supergraph's operations
 * by its own schema object (draining them on a swap, and telling a swap from
 * a stream that ended), which a copy would defeat. Introspection shows both
 * directives, so GraphiQL and codegen accept operations that use them.
 */
function declaringIncrementalDirectives(schema: GraphQLSchema): GraphQLSchema {
  const missing = [GraphQLDeferDirective, GraphQLStreamDirective].filter((d) => !schema.getDirective(d.name));
  if (missing.length === 0) return schema;
  const declared = new GraphQLSchema({ ...schema.toConfig(), directives: [...schema.getDirectives(), ...missing] });
  declared.extensions = schema.extensions;
  return declared;
}

/**
 * The runtime's JavaScript federation path (the stitched schema), whose
 * executor delivers deferred fragments and streamed items as they resolve. It
 * leaves out `@defer` in what it sends subgraphs, but not `@stream`: they know neither.
 */
function stitched(options: Parameters<UnifiedGraphHandler>[0]) {
  const onSubgraphExecute: typeof options.onSubgraphExecute = (subgraphName, request) =>
    options.onSubgraphExecute(subgraphName, { ...request, document: withoutStream(request.document) });
  return handleFederationSupergraph({ ...options, onSubgraphExecute });
}

/**
 * The JavaScript planner for every operation (QUERY_PLANNER=js): it plans
 * `@defer` and `@stream` itself.
 */
export const jsPlannedWithIncrementalDelivery: UnifiedGraphHandler = (options) => {
  const planned = stitched(options);
  return { ...planned, unifiedGraph: declaringIncrementalDirectives(planned.unifiedGraph) };
};

/**
 * The Rust query planner for every operation, except those with `@defer` or
 * `@stream`, which it cannot plan: those run on the JavaScript path. Both send
 * their subgraph requests through the same `onSubgraphExecute`, so signing,
 * timeouts and upstream errors apply alike. The stitched schema is built on
 * the first incremental operation of each supergraph, not before: most
 * gateways never see one.
 */
export const plannedWithIncrementalDelivery: UnifiedGraphHandler = async (options) => {
  const planned = await rustPlannedGraph(options);
  const unifiedGraph = declaringIncrementalDirectives(planned.unifiedGraph);
  let stitchedExecutor: Executor | undefined;
  let introspectionExecutor: Executor | undefined;
  const executor: Executor = (request) => {
    if (asksForIncrementalDelivery(request.document)) {
      stitchedExecutor ??= createDefaultExecutor(stitched(options).unifiedGraph);
      return stitchedExecutor(request);
    }
    // The planner's executor answers introspection from its schema, which lacks the directives.
    if (introspects(request.document)) {
      introspectionExecutor ??= createDefaultExecutor(unifiedGraph);
      return introspectionExecutor(request);
    }
    return planned.executor!(request);
  };
  return { ...planned, unifiedGraph, executor };
};
