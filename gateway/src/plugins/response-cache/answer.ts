import {
  getNamedType,
  getNullableType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { CacheEntityRecord } from './redis-store.js';

/** What an object in the answer is read as: its object type, or an interface no object type implements here. */
type ObjectShape = GraphQLObjectType | GraphQLInterfaceType;

/** The field whose value identifies an object for invalidation (the cache's entity id). */
const ID_FIELD = 'id';

/** Objects read at most, per answer: past it the answer is not cached (its walk would cost too much). */
const MAX_VISITS = 100_000;

/**
 * What the response cache needs to know about one answer, read from the answer
 * itself against the client's own document: the planner is never asked for
 * anything more (no `__typename` or `id` selections are added).
 *
 * - `entities`: every object of a type with an `id` field or a `@key`. With its
 *   id when the client selected `id`; without one (`{ typename }`) when it did not
 *   (or the type has no `id`), which the
 *   store treats as "some instance of this type": any invalidation of the type
 *   drops the answer. Where `__typename` is not selected on an abstract type,
 *   the object is recorded under every possible type its fields fit.
 * - `types`: the object types in it (for per-type lifetimes).
 * - `refusal`: why it must not be cached, if it must not: a `null` where the
 *   schema says an entity goes (a federation entity, `@key` in the supergraph)
 *   may be an entity fetch that failed without an error, and introspection
 *   is never cached. The walk goes on past a refusal (a mutation's result is
 *   read whole for what it invalidates).
 */
export interface AnswerContents {
  entities: CacheEntityRecord[];
  types: Set<string>;
  refusal?: string;
  /** The walk stopped early (too large an answer): `entities` and `types` are incomplete. */
  truncated?: true;
}

interface Walk {
  schema: GraphQLSchema;
  fragments: Map<string, FragmentDefinitionNode>;
  entities: Map<string, CacheEntityRecord>;
  types: Set<string>;
  refusal?: string;
  truncated?: true;
  visits: number;
}

export function readAnswer(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  document: DocumentNode,
  data: Record<string, unknown> | null | undefined,
): AnswerContents {
  const root = schema.getRootType(operation.operation);
  const walk: Walk = {
    schema,
    fragments: new Map(
      document.definitions.flatMap((definition) =>
        definition.kind === Kind.FRAGMENT_DEFINITION ? [[definition.name.value, definition] as const] : [],
      ),
    ),
    entities: new Map(),
    types: new Set(),
    visits: 0,
  };
  if (!root) walk.refusal = `no ${operation.operation} type`;
  else if (data) visitObject(walk, data, root, [operation.selectionSet]);
  const { entities, types, refusal, truncated } = walk;
  return {
    entities: [...entities.values()],
    types,
    ...(refusal ? { refusal } : {}),
    ...(truncated ? { truncated } : {}),
  };
}

/** An object of `type` (possibly abstract) in the answer, selected by `selectionSets`. */
function visitObject(
  walk: Walk,
  value: Record<string, unknown>,
  type: GraphQLCompositeType,
  selectionSets: readonly SelectionSetNode[],
): void {
  if (walk.truncated) return;
  if (++walk.visits > MAX_VISITS) {
    walk.refusal = 'too large to read';
    walk.truncated = true;
    return;
  }
  for (const candidate of runtimeTypes(walk, value, type, selectionSets)) {
    const fields = collectFields(walk, candidate, selectionSets);
    walk.types.add(candidate.name);
    // A federation entity keyed by other fields still changes: recorded by its type alone.
    if (ID_FIELD in candidate.getFields() || isEntityPosition(walk.schema, candidate)) {
      const idKey = [...fields].find(([key, nodes]) => key in value && nodes[0]!.name.value === ID_FIELD)?.[0];
      const id = idKey === undefined ? undefined : value[idKey];
      const entity: CacheEntityRecord =
        typeof id === 'string' || typeof id === 'number'
          ? { typename: candidate.name, id }
          : { typename: candidate.name };
      walk.entities.set(`${entity.typename}:${entity.id ?? ''}`, entity);
    }
    for (const [responseKey, nodes] of fields) {
      if (!(responseKey in value)) continue;
      const name = nodes[0]!.name.value;
      if (name === '__typename') continue;
      if (name === '__schema' || name === '__type') {
        walk.refusal = 'introspection';
        continue;
      }
      // An interface's field the object type does not repeat (an `@interfaceObject` adds them) is the interface's.
      const field = candidate.getFields()[name] ?? (isInterfaceType(type) ? type.getFields()[name] : undefined);
      if (!field) {
        walk.refusal = `unknown field ${candidate.name}.${name}`;
        continue;
      }
      const selections = nodes.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      visitValue(walk, value[responseKey], field.type, selections, `${candidate.name}.${name}`);
    }
  }
}

function visitValue(
  walk: Walk,
  value: unknown,
  type: GraphQLOutputType,
  selectionSets: readonly SelectionSetNode[],
  coordinate: string,
): void {
  if (walk.truncated) return;
  const nullable = getNullableType(type);
  const named = getNamedType(nullable);
  if (value === null || value === undefined) {
    if (isEntityPosition(walk.schema, named)) walk.refusal ??= `null entity at ${coordinate}`;
    return;
  }
  if (isListType(nullable)) {
    if (Array.isArray(value))
      for (const item of value) visitValue(walk, item, nullable.ofType, selectionSets, coordinate);
    return;
  }
  if (isCompositeType(named) && typeof value === 'object')
    visitObject(walk, value as Record<string, unknown>, named, selectionSets);
}

/**
 * The object types `value` may be: its own type, or for an abstract type the
 * one `__typename` names, else every possible type whose fields (as the
 * selections apply to it) cover every key of the value.
 */
function runtimeTypes(
  walk: Walk,
  value: Record<string, unknown>,
  type: GraphQLCompositeType,
  selectionSets: readonly SelectionSetNode[],
): readonly ObjectShape[] {
  if (isObjectType(type)) return [type];
  const possible = walk.schema.getPossibleTypes(type);
  // No object type implements it in this supergraph: read as the interface itself.
  if (possible.length === 0 && isInterfaceType(type)) return [type];
  for (const candidate of possible) {
    for (const [responseKey, nodes] of collectFields(walk, candidate, selectionSets)) {
      if (nodes[0]!.name.value !== '__typename' || !(responseKey in value)) continue;
      const named = walk.schema.getType(String(value[responseKey]));
      if (named && isObjectType(named)) return [named];
      walk.refusal ??= `unknown type ${String(value[responseKey])}`;
      return possible;
    }
  }
  const fitting = possible.filter((candidate) => {
    const fields = collectFields(walk, candidate, selectionSets);
    return Object.keys(value).every((key) => {
      const name = fields.get(key)?.[0]?.name.value;
      return (
        name !== undefined &&
        (name === '__typename' || name in candidate.getFields() || (isInterfaceType(type) && name in type.getFields()))
      );
    });
  });
  if (fitting.length > 0) return fitting;
  // Nothing fits (should not happen): counted as every possible type, and not stored.
  walk.refusal ??= `no type of ${type.name} fits`;
  return possible;
}

/**
 * The selections that apply to an object of `type`, by response key (as
 * graphql-js collects them, without evaluating `@skip`/`@include`: only the keys
 * present in the answer are read, and a key always names one field).
 */
function collectFields(
  walk: Walk,
  type: ObjectShape,
  selectionSets: readonly SelectionSetNode[],
  fields = new Map<string, FieldNode[]>(),
): Map<string, FieldNode[]> {
  for (const selectionSet of selectionSets) {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        fields.set(key, [...(fields.get(key) ?? []), selection]);
        continue;
      }
      const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : walk.fragments.get(selection.name.value);
      if (!fragment) continue;
      const condition = fragment.typeCondition && walk.schema.getType(fragment.typeCondition.name.value);
      if (fragment.typeCondition && !appliesTo(walk.schema, condition, type)) continue;
      collectFields(walk, type, [fragment.selectionSet], fields);
    }
  }
  return fields;
}

function appliesTo(schema: GraphQLSchema, condition: GraphQLNamedType | undefined | null, type: ObjectShape) {
  if (!condition) return false;
  if (condition === type) return true;
  return isAbstractType(condition) && schema.isSubType(condition, type);
}

const entityPositions = new WeakMap<GraphQLSchema, Map<string, boolean>>();

/**
 * True when an object of `type` may be a federation entity (a type, or a
 * possible type of it, with a `@key` in the supergraph, kept as `@join__type(key:)`).
 */
function isEntityPosition(schema: GraphQLSchema, type: GraphQLNamedType): boolean {
  if (!isCompositeType(type)) return false;
  let known = entityPositions.get(schema);
  if (!known) entityPositions.set(schema, (known = new Map()));
  let entity = known.get(type.name);
  if (entity === undefined) {
    const hasKey = (candidate: GraphQLCompositeType) =>
      [candidate.astNode, ...candidate.extensionASTNodes].some((node) =>
        node?.directives?.some(
          (directive) =>
            directive.name.value === 'join__type' &&
            directive.arguments?.some((argument) => argument.name.value === 'key'),
        ),
      );
    entity = hasKey(type) || (isAbstractType(type) && schema.getPossibleTypes(type).some(hasKey));
    known.set(type.name, entity);
  }
  return entity;
}
