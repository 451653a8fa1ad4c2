import {
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** The bounds of the cheap pass that runs before graphql-js validation (docs/security.md, Limits). */
export interface SelectionLimits {
  /** Fields an operation selects with its fragments expanded, introspection aside. */
  maxFields: number;
  /** Selections merged into one field of the answer (same response key, same path). */
  maxFieldRepeats: number;
  /** Fragment definitions in the document. */
  maxFragments: number;
  /** Variable definitions of one operation. */
  maxVariables: number;
  /** Directives an operation applies, each fragment's counted where it is spread. */
  maxDirectives: number;
}

const refusal = (message: string) =>
  new GraphQLError(message, { extensions: { code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } });

/** Introspection's lists of a type's members. */
const TYPE_LISTS = new Set(['fields', 'inputFields', 'interfaces', 'possibleTypes']);

const isIntrospection = (field: FieldNode) => field.name.value === '__schema' || field.name.value === '__type';

/**
 * Checks a parsed document's shape in time linear in its size, or refuses it.
 *
 * - graphql-js's OverlappingFieldsCanBeMerged rule compares every pair of fields
 *   that land on one position of the answer: 3,000 copies of one field (well under
 *   the token limit) cost a second of CPU. Fields are grouped by response path,
 *   fragments expanded, and a group larger than `maxFieldRepeats` is refused.
 * - Validation, authorization, planning and execution all cost per field: an
 *   operation may select `maxFields` fields, each fragment counted where it is
 *   spread (sizes memoised, so a fragment bomb is counted, never built).
 *   Introspection fields are resolved by the gateway from its schema and are
 *   bounded otherwise: one `__schema` per operation, no aliases within
 *   introspection (nothing is introspected twice), and no list of a type's
 *   members nested in another (graphql-js's MaxIntrospectionDepthRule allows
 *   three levels, a hundred times the answer of the full introspection query).
 * - Directives are counted the same way (graphql-armor's count ran inside
 *   validation, after the rules had already paid for 400 of them), fragments and
 *   variables too, and a fragment cycle is refused here, since the grouping
 *   expands fragments.
 */
export function checkSelections(document: DocumentNode, limits: SelectionLimits): GraphQLError | undefined {
  const fragments = new Map<string, FragmentDefinitionNode>();
  const operations: OperationDefinitionNode[] = [];
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    else if (definition.kind === Kind.OPERATION_DEFINITION) {
      const variables = definition.variableDefinitions?.length ?? 0;
      if (variables > limits.maxVariables) {
        return refusal(
          `an operation may declare at most ${limits.maxVariables} variables (GATEWAY_MAX_VARIABLES); this one declares ${variables}`,
        );
      }
      operations.push(definition);
    }
  }
  if (fragments.size > limits.maxFragments) {
    return refusal(
      `a document may define at most ${limits.maxFragments} fragments (GATEWAY_MAX_FRAGMENTS); this one defines ${fragments.size}`,
    );
  }

  // Fields and directives of a selection set with its fragments expanded; sizes memoised per fragment.
  type Size = { fields: number; directives: number };
  const sizes = new Map<string, Size>();
  const expanding = new Set<string>();
  let cycle: string | undefined;
  const over = (size: Size) => size.fields > limits.maxFields || size.directives > limits.maxDirectives;
  const sizeOf = (set: SelectionSetNode | undefined, size: Size = { fields: 0, directives: 0 }): Size => {
    for (const selection of set?.selections ?? []) {
      size.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FIELD) {
        if (isIntrospection(selection)) continue;
        size.fields += 1;
        sizeOf(selection.selectionSet, size);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        sizeOf(selection.selectionSet, size);
      } else {
        const fragment = fragmentSize(selection.name.value);
        size.fields += fragment.fields;
        size.directives += fragment.directives;
      }
      if (over(size)) break;
    }
    return size;
  };
  const fragmentSize = (name: string): Size => {
    const known = sizes.get(name);
    if (known) return known;
    if (expanding.has(name)) {
      cycle ??= name;
      return { fields: 0, directives: 0 };
    }
    expanding.add(name);
    const fragment = fragments.get(name);
    const size = sizeOf(fragment?.selectionSet, { fields: 0, directives: fragment?.directives?.length ?? 0 });
    expanding.delete(name);
    sizes.set(name, size);
    return size;
  };
  for (const operation of operations) {
    const size = sizeOf(operation.selectionSet, { fields: 0, directives: operation.directives?.length ?? 0 });
    if (size.fields > limits.maxFields) {
      return refusal(
        `an operation may select at most ${limits.maxFields} fields (GATEWAY_MAX_FIELDS), each fragment counted where it is spread; this one selects more`,
      );
    }
    if (size.directives > limits.maxDirectives) {
      return refusal(
        `an operation may apply at most ${limits.maxDirectives} directives (GATEWAY_MAX_DIRECTIVES), each fragment's counted where it is spread; this one applies more`,
      );
    }
  }
  for (const name of fragments.keys()) fragmentSize(name);
  if (cycle) return refusal(`fragment "${cycle}" spreads itself (directly or through other fragments)`);

  // Within the bounds above expanding is cheap: group what merges into one position of the answer.
  const roots = [...operations, ...fragments.values()].map((definition) => definition.selectionSet);
  for (const root of roots) {
    const found = mergedFields([root], fragments, limits.maxFieldRepeats, false, 0);
    if (found) return refusal(found);
  }
  return undefined;
}

/**
 * Groups the fields of `sets` (one position of the answer) by response key,
 * through inline fragments and fragment spreads as the answer merges them,
 * and recurses into each group's merged selections. The refusal's message,
 * or undefined when every group is within `max` (and introspection is
 * neither aliased, asked twice, nor nested).
 */
function mergedFields(
  sets: SelectionSetNode[],
  fragments: Map<string, FragmentDefinitionNode>,
  max: number,
  introspection: boolean,
  typeLists: number,
  path = '',
): string | undefined {
  const byKey = new Map<string, FieldNode[]>();
  const collect = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const key = selection.alias?.value ?? selection.name.value;
        const group = byKey.get(key);
        if (group) group.push(selection);
        else byKey.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        collect(selection.selectionSet);
      } else {
        // An unknown fragment is refused by validation; cycles were refused before.
        const fragment = fragments.get(selection.name.value);
        if (fragment) collect(fragment.selectionSet);
      }
    }
  };
  for (const set of sets) collect(set);
  const schemas = [...byKey.values()].filter((group) => group[0]!.name.value === '__schema').length;
  if (schemas > 1) return 'an operation may ask for __schema once';
  for (const [key, group] of byKey) {
    if (group.length > max) {
      return `at most ${max} selections may answer one field of the result (GATEWAY_MAX_FIELD_REPEATS); "${path}${key}" has ${group.length}`;
    }
    const inside = introspection || isIntrospection(group[0]!);
    if (inside && group.some((field) => field.alias)) return 'introspection fields may not be aliased';
    // Each list of types' members multiplies the answer by the schema's size: GraphiQL's and codegen's
    // full introspection query nests none of them in another.
    const lists = inside && TYPE_LISTS.has(group[0]!.name.value) ? typeLists + 1 : typeLists;
    if (lists > 1) return `introspection may not nest ${[...TYPE_LISTS].join(', ')} in one another`;
    const children = group.flatMap((field) => (field.selectionSet ? [field.selectionSet] : []));
    if (children.length === 0) continue;
    const found = mergedFields(children, fragments, max, inside, lists, `${path}${key}.`);
    if (found) return found;
  }
  return undefined;
}
