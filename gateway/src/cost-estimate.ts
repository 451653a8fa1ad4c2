import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  getVariableValues,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  valueFromASTUntyped,
  type DirectiveNode,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { appliesIncrementally } from './incremental-delivery.js';

/**
 * The gateway's one cost model (federation's `@cost` and `@listSize`, the rules of
 * the runtime's demand control, IBM's cost specification), applied to the
 * client's operation against the supergraph before anything is planned:
 *
 * - each field costs its `@cost` weight, plus its type's `@cost` weight, or 1
 *   when it returns an object, interface or union (scalars and enums are free);
 * - times the size of every list above it, itself included: the largest of its
 *   `@listSize(slicingArguments)` given (`first`, or its default), applied to its
 *   `sizedFields` (`edges`) when it names them; else `@listSize(assumedSize)`;
 *   else `defaultListSize` for any list (non-null ones too, unlike the runtime
 *   2.12.1, whose estimate skipped `[Item!]!`);
 * - a mutation costs 10 more; introspection and `__typename` are free (the
 *   gateway answers them from its schema; their shape is bounded elsewhere);
 * - fragments count where they are spread, with the lists above the spread.
 *
 * The runtime's own calculator is not exported, and it runs per subgraph request,
 * after planning: a subgraph's entity fetch (`_entities`, a non-null list) was
 * estimated as one object, and a fragment's fields once, without the lists
 * above its spread. This estimates the whole operation once, from its document.
 *
 * The same walk counts what the cost leaves out but the gateway pays for in CPU
 * whatever the answer holds (docs/security.md, _CPU per request_):
 *
 * - `fields`: every field selected, scalars too, each fragment where it is spread
 *   (each is validated, authorized, planned and merged);
 * - `fetches`: the subgraph requests the plan will make, from the supergraph's
 *   `@join__type` and `@join__field`. A field its parent's subgraph cannot resolve
 *   is an entity fetch one step later, from the first subgraph that can; the
 *   planner sends one request per subgraph and step (aliases and sibling branches
 *   batched), so a fetch is counted once per step and subgraph. Each root field of
 *   a mutation is a request of its own (they run in order).
 */
export interface CostModel {
  /** Assumed length of a list the schema gives no `@listSize` (GATEWAY_DEFAULT_LIST_SIZE). */
  defaultListSize: number;
}

export interface OperationEstimate {
  cost: number;
  fields: number;
  fetches: number;
}

/**
 * Where the walk is: the subgraphs that can resolve the current object in the current request, its
 * step, and the deferred part it is in ('' outside any).
 */
interface Placement {
  graphs: readonly string[];
  step: number;
  part: string;
}

/** The operation's estimate, or undefined when its variables do not fit (execution refuses those itself). */
export function estimateOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  model: CostModel,
): OperationEstimate | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: OperationDefinitionNode | undefined;
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (
      definition.kind === Kind.OPERATION_DEFINITION &&
      (!operationName || definition.name?.value === operationName)
    )
      operation ??= definition;
  }
  const root = operation && schema.getRootType(operation.operation);
  if (!operation || !root) return undefined;
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], rawVariables ?? {});
  if (coerced.errors) return undefined;
  const variables = coerced.coerced;

  let fields = 0;
  const fetches = new Set<string>();
  const mutation = operation.operation === 'mutation';
  /** Where a field's value comes from: the current request when its subgraph can resolve it, else a fetch one step on. */
  const place = (parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>, at: Placement): Placement => {
    const resolving = resolvingGraphs(parent, field) ?? at.graphs;
    const here = at.graphs.filter((graph) => resolving.includes(graph));
    if (here.length > 0 || (resolving.length === 0 && at.step >= 0)) return { ...at, graphs: here };
    const step = at.step + 1;
    // A root field the schema says nothing of (not a supergraph) is one request of an unknown subgraph.
    // In a deferred part every field is counted as a request of its own: the runtime's JavaScript path
    // resolves deferred fields one by one (batched over objects, not over fields).
    const key = at.part ? `${at.part}${step}:${resolving[0] ?? '?'}:${field.name}` : `${step}:${resolving[0] ?? '?'}`;
    fetches.add(mutation && step === 0 ? `${field.name}@${fetches.size}` : key);
    return { graphs: resolving, step, part: at.part };
  };
  /**
   * A deferred fragment or streamed list is a part of its own: the fields its subgraph at hand
   * resolves come with the rest, every other one is an entity fetch of its own, which no request of
   * the rest carries.
   */
  let parts = 0;
  const partOf = (node: { directives?: readonly DirectiveNode[] }, at: Placement): Placement =>
    node.directives?.some((directive) => appliesIncrementally(directive, variables))
      ? { ...at, part: `${at.part}${++parts}/` }
      : at;

  const selections = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    multiplier: number,
    sized: Map<string, number> | undefined,
    at: Placement,
  ): number => {
    let cost = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
        if (!field || name.startsWith('__')) continue;
        fields++;
        const args = getArgumentValues(field, selection, variables);
        const size = listSize(field, args, model.defaultListSize);
        const times = multiplier * (sized?.get(name) ?? size.factor);
        const type = getNamedType(field.type);
        cost += (weight(field) + argumentWeights(field, args) + typeWeight(type)) * times;
        const placed = place(parent, field, at);
        if (selection.selectionSet)
          cost += selections(selection.selectionSet, type, times, size.sizedFields, partOf(selection, placed));
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const type = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : parent;
        if (type) cost += selections(fragment.selectionSet, type, multiplier, sized, partOf(selection, at));
      }
    }
    return cost;
  };
  // The root is in no request yet: each root field starts one (step 0).
  const cost =
    (mutation ? 10 : 0) + selections(operation.selectionSet, root, 1, undefined, { graphs: [], step: -1, part: '' });
  return { cost, fields, fetches: fetches.size };
}

type DirectiveUse = { name: { value: string }; arguments?: readonly unknown[] };
type Annotated = { astNode?: { directives?: readonly DirectiveUse[] } | null };

function argumentsOf(use: DirectiveUse): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const arg of (use.arguments ?? []) as {
    name: { value: string };
    value: Parameters<typeof valueFromASTUntyped>[0];
  }[])
    args[arg.name.value] = valueFromASTUntyped(arg.value);
  return args;
}

/** The arguments of a directive on a schema element, by name (the supergraph keeps them in its AST). */
function directiveArguments(element: Annotated, directive: string): Record<string, unknown> | undefined {
  const found = element.astNode?.directives?.find((node) => node.name.value === directive);
  return found && argumentsOf(found);
}

/** The `graph` argument of every use of a join directive on a schema element. */
const joinGraphs = (element: Annotated, directive: string, usable = (_args: Record<string, unknown>) => true) =>
  (element.astNode?.directives ?? [])
    .filter((node) => node.name.value === directive)
    .map(argumentsOf)
    .filter(usable)
    .map((args) => String(args['graph']));

const resolvingCache = new WeakMap<object, readonly string[] | undefined>();

/**
 * The subgraphs that resolve a field of `parent`: those of its `@join__field` (not
 * `external`), else every subgraph that has the type (`@join__type`); undefined
 * when the schema says neither (not a supergraph: no fetch is counted).
 */
function resolvingGraphs(
  parent: GraphQLNamedType,
  field: GraphQLField<unknown, unknown>,
): readonly string[] | undefined {
  if (resolvingCache.has(field)) return resolvingCache.get(field);
  const own = joinGraphs(field, 'join__field', (args) => args['external'] !== true && args['graph'] !== undefined);
  const graphs = own.length > 0 ? own : joinGraphs(parent, 'join__type');
  const resolving = graphs.length > 0 ? graphs : undefined;
  resolvingCache.set(field, resolving);
  return resolving;
}

const weight = (element: Annotated): number => Number(directiveArguments(element, 'cost')?.['weight'] ?? 0) || 0;

const typeWeight = (type: GraphQLNamedType): number => {
  const declared = directiveArguments(type, 'cost');
  if (declared) return Number(declared['weight']) || 0;
  return isCompositeType(type) ? 1 : 0;
};

/** `@cost` on an argument definition counts when the argument is given. */
const argumentWeights = (field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number =>
  field.args.reduce((sum, arg) => (args[arg.name] === undefined ? sum : sum + weight(arg)), 0);

/** How many items a field's list holds, and which of its fields carry that size instead (`edges`). */
function listSize(
  field: GraphQLField<unknown, unknown>,
  args: Record<string, unknown>,
  defaultListSize: number,
): { factor: number; sizedFields?: Map<string, number> } {
  const declared = directiveArguments(field, 'listSize');
  if (declared) {
    const slicing = ((declared['slicingArguments'] as string[] | undefined) ?? [])
      .map((name) => Number(args[name]))
      .filter((value) => value > 0);
    const assumed = Number(declared['assumedSize']) || undefined;
    const size = slicing.length > 0 ? Math.max(...slicing) : (assumed ?? defaultListSize);
    const sizedFields = declared['sizedFields'] as string[] | undefined;
    if (sizedFields?.length) return { factor: 1, sizedFields: new Map(sizedFields.map((name) => [name, size])) };
    return { factor: size };
  }
  let factor = 1;
  for (let type: GraphQLOutputType = getNullableType(field.type); isListType(type);) {
    factor *= defaultListSize;
    type = getNullableType(type.ofType);
  }
  return { factor };
}
