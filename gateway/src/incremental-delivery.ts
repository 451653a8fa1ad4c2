import { handleFederationSupergraph, type UnifiedGraphHandler } from '@graphql-mesh/fusion-runtime';
import { unifiedGraphHandler as rustPlannedGraph } from '@graphql-hive/router-runtime';
import { createDefaultExecutor } from '@graphql-tools/delegate';
import { GraphQLDeferDirective, GraphQLStreamDirective, type Executor } from '@graphql-tools/utils';
import {
  getDirectiveValues,
  getOperationAST,
  GraphQLSchema,
  Kind,
  visit,
  type DirectiveNode,
  type DocumentNode,
} from 'graphql';

/** `@defer` or `@stream`. */
const isIncremental = (directive: DirectiveNode) =>
  directive.name.value === 'defer' || directive.name.value === 'stream';

/** Per document, every `@defer` and `@stream` in it (most documents have none; the runtime parses each text once). */
const uses = new WeakMap<DocumentNode, DirectiveNode[]>();

function incrementalUses(document: DocumentNode): DirectiveNode[] {
  let found = uses.get(document);
  if (found === undefined) {
    const collected: DirectiveNode[] = [];
    visit(document, { Directive: (directive) => void (isIncremental(directive) && collected.push(directive)) });
    uses.set(document, (found = collected));
  }
  return found;
}

/**
 * Whether this directive is an `@defer` or `@stream` that applies: its `if`
 * absent, true, or a variable that is not false (the directives' own default).
 */
export function appliesIncrementally(directive: DirectiveNode, variables: Record<string, unknown> | null | undefined) {
  if (!isIncremental(directive)) return false;
  const definition = directive.name.value === 'defer' ? GraphQLDeferDirective : GraphQLStreamDirective;
  const values = getDirectiveValues(definition, { directives: [directive] }, variables ?? {});
  return values !== undefined && values['if'] !== false;
}

/** Whether an operation asks for incremental delivery: an `@defer` or `@stream` in it that applies. */
export function asksForIncrementalDelivery(document: DocumentNode, variables?: Record<string, unknown> | null) {
  return incrementalUses(document).some((directive) => appliesIncrementally(directive, variables));
}

const whole = new WeakMap<DocumentNode, DocumentNode>();

/**
 * A document without `@defer` and `@stream`, and without the variables only
 * their arguments used: what subgraphs are sent (they know neither directive;
 * the runtime's JavaScript path leaves `@defer` on named fragment spreads and
 * every `@stream`), and what runs when the answer goes out whole.
 */
export function withoutIncrementalDirectives(document: DocumentNode): DocumentNode {
  if (incrementalUses(document).length === 0) return document;
  let without = whole.get(document);
  if (without === undefined) {
    const stripped = visit(document, {
      Directive: (node) => (isIncremental(node) ? null : undefined),
    });
    const used = new Set<string>();
    visit(stripped, {
      VariableDefinition: () => false,
      Variable: (node) => void used.add(node.name.value),
    });
    without = visit(stripped, {
      VariableDefinition: (node) => (used.has(node.variable.name.value) ? undefined : null),
    });
    whole.set(document, without);
  }
  return without;
}

/** An operation that only reads the schema: every root field `__schema`, `__type` or `__typename`, one of the first two. */
function introspects(document: DocumentNode, operationName: string | undefined) {
  const selections = getOperationAST(document, operationName)?.selectionSet.selections ?? [];
  const names = selections.map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : ''));
  return names.some((name) => name === '__schema' || name === '__type') && names.every((name) => name.startsWith('__'));
}

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
 * executor delivers deferred fragments and streamed items as they resolve.
 * Its subgraph requests go without the directives.
 */
function stitched(options: Parameters<UnifiedGraphHandler>[0]) {
  const onSubgraphExecute: typeof options.onSubgraphExecute = (subgraphName, request) =>
    options.onSubgraphExecute(subgraphName, { ...request, document: withoutIncrementalDirectives(request.document) });
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
 * The Rust query planner for every operation, except those where an `@defer`
 * or `@stream` applies, which it cannot plan: those run on the JavaScript
 * path. Both send their subgraph requests through the same
 * `onSubgraphExecute`, so signing, timeouts and upstream errors apply alike.
 * The JavaScript path's stitched schema is built on the first such operation
 * of each supergraph (the Rust planner's handler keeps one of its own, for its
 * subgraph schemas).
 */
export const plannedWithIncrementalDelivery: UnifiedGraphHandler = async (options) => {
  const planned = await rustPlannedGraph(options);
  const unifiedGraph = declaringIncrementalDirectives(planned.unifiedGraph);
  let stitchedExecutor: Executor | undefined;
  let introspectionExecutor: Executor | undefined;
  const executor: Executor = (request) => {
    // The planner's executor answers introspection from its schema, which lacks the directives.
    if (introspects(request.document, request.operationName)) {
      introspectionExecutor ??= createDefaultExecutor(unifiedGraph);
      return introspectionExecutor(request);
    }
    if (asksForIncrementalDelivery(request.document, request.variables)) {
      stitchedExecutor ??= createDefaultExecutor(stitched(options).unifiedGraph);
      return stitchedExecutor(request);
    }
    return planned.executor!(request);
  };
  return { ...planned, unifiedGraph, executor };
};
