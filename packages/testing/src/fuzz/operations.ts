import fc from 'fast-check';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isLeafType,
  isListType,
  isNonNullType,
  isUnionType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLSchema,
} from 'graphql';

/** One GraphQL operation: its text and variables. */
export interface FuzzOperation {
  query: string;
  variables: Record<string, unknown>;
}

/** Values the generator may use where the schema asks for an ID or a slug: real ones and strangers. */
export interface FuzzIds {
  ids: readonly string[];
  strings?: readonly string[];
}

type Draw = fc.GeneratorValue;

/** Strings attackers like: injections, traversal, odd Unicode, control characters, a long one. */
const HOSTILE_STRINGS = [
  '',
  ' ',
  "' OR 1=1 --",
  '{"$gt": ""}',
  '$where',
  '../../etc/passwd',
  '<script>alert(1)</script>',
  '\u0000',
  '\uD800',
  'ñandú 🦩',
  '%00',
  'a'.repeat(5000),
];

const MAX_DEPTH = 4;

/*
 * `draw` remembers its arbitraries by their arguments, compared deeply: schema
 * types are drawn by index, never passed to it.
 */
const pick = <T>(draw: Draw, items: readonly T[]): T => items[draw(fc.nat, { max: items.length - 1 })]!;
const pickSome = <T>(draw: Draw, items: readonly T[], max: number): T[] => {
  const indices = items.map((_, i) => i);
  return draw(fc.subarray, indices, { minLength: 1, maxLength: Math.min(items.length, max) }).map((i) => items[i]!);
};

/** A value of `type`, mostly well-typed; `strict` false also draws values of the wrong type. */
function valueOf(draw: Draw, type: GraphQLInputType, ids: FuzzIds, depth: number): unknown {
  if (isNonNullType(type)) return valueOf(draw, type.ofType, ids, depth);
  if (isListType(type)) {
    const length = draw(fc.integer, { min: 0, max: depth > 2 ? 1 : 3 });
    return Array.from({ length }, () => valueOf(draw, type.ofType, ids, depth + 1));
  }
  if (isEnumType(type)) return pick(draw, type.getValues()).name;
  if (isInputObjectType(type)) {
    const value: Record<string, unknown> = {};
    for (const field of Object.values(type.getFields())) {
      if (isNonNullType(field.type) || draw(fc.boolean)) value[field.name] = valueOf(draw, field.type, ids, depth + 1);
    }
    return value;
  }
  switch (type.name) {
    case 'ID':
      return draw(() => fc.oneof(fc.constantFrom(...ids.ids), fc.uuid(), fc.constantFrom(...HOSTILE_STRINGS)));
    case 'Int':
      return draw(() =>
        fc.oneof(fc.integer({ min: -3, max: 120 }), fc.constantFrom(0, -1, 2_147_483_647, -2_147_483_648)),
      );
    case 'Float':
      return draw(fc.double, { noNaN: true, noDefaultInfinity: true, min: -1e12, max: 1e12 });
    case 'Boolean':
      return draw(fc.boolean);
    case 'DateTime':
      return draw(() =>
        fc.oneof(
          fc.date({ noInvalidDate: true }).map((date) => date.toISOString()),
          fc.constantFrom('yesterday', '9999-99-99'),
        ),
      );
    case 'JSON':
      return draw(fc.jsonValue, { maxDepth: 2 });
    default:
      return draw(() =>
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom(...HOSTILE_STRINGS),
          fc.constantFrom(...(ids.strings ?? ['x'])),
        ),
      );
  }
}

/** Builds one operation, walking the schema from a root type. */
class OperationBuilder {
  private readonly declarations: string[] = [];
  readonly variables: Record<string, unknown> = {};

  constructor(
    private readonly draw: Draw,
    private readonly ids: FuzzIds,
  ) {}

  get variableDeclarations(): string {
    return this.declarations.length > 0 ? `(${this.declarations.join(', ')})` : '';
  }

  private argumentsOf(args: readonly GraphQLArgument[]): string {
    const given = args.filter((arg) => isNonNullType(arg.type) || this.draw(fc.boolean));
    if (given.length === 0) return '';
    const passed = given.map((arg) => {
      const name = `v${this.declarations.length}`;
      this.declarations.push(`$${name}: ${String(arg.type)}`);
      this.variables[name] = valueOf(this.draw, arg.type, this.ids, 0);
      return `${arg.name}: $${name}`;
    });
    return `(${passed.join(', ')})`;
  }

  selectionOf(type: GraphQLNamedType, depth: number): string {
    if (isUnionType(type) || isInterfaceType(type)) {
      const possible = isUnionType(type) ? type.getTypes() : [];
      const own = isInterfaceType(type) ? this.fieldsOf(type.getFields(), depth) : [];
      const fragments = possible.length
        ? pickSome(this.draw, possible, 2).map(
            (member: GraphQLObjectType) => `... on ${member.name} { ${this.selectionOf(member, depth)} }`,
          )
        : [];
      return ['__typename', ...own, ...fragments].join(' ');
    }
    return this.fieldsOf((type as GraphQLObjectType).getFields(), depth).join(' ') || '__typename';
  }

  private fieldsOf(fields: Record<string, GraphQLField<unknown, unknown>>, depth: number): string[] {
    const candidates = Object.values(fields).filter(
      (field) => depth < MAX_DEPTH || isLeafType(getNamedType(field.type)),
    );
    if (candidates.length === 0) return [];
    const picked = pickSome(this.draw, candidates, depth === 0 ? 2 : 4);
    return picked.map((field) => {
      const named = getNamedType(field.type);
      const args = this.argumentsOf(field.args);
      return isLeafType(named)
        ? `${field.name}${args}`
        : `${field.name}${args} { ${this.selectionOf(named, depth + 1)} }`;
    });
  }
}

/**
 * Valid operations of `schema` (queries and mutations: subscriptions stay open
 * and are tried elsewhere): random fields at every level, arguments as typed
 * variables drawn from their types, real ids mixed with strangers.
 */
export function validOperation(schema: GraphQLSchema, ids: FuzzIds): fc.Arbitrary<FuzzOperation> {
  const roots = [schema.getQueryType(), schema.getMutationType()].filter((root) => root != null);
  return fc.gen().map((draw) => {
    const root = pick(draw, roots);
    const builder = new OperationBuilder(draw, ids);
    const selection = builder.selectionOf(root, 0);
    const keyword = root === schema.getMutationType() ? 'mutation' : 'query';
    const name = pick(draw, ['', ' Fuzz', ` F_${draw(fc.nat, { max: 1e6 })}`]);
    return { query: `${keyword}${name}${builder.variableDeclarations} { ${selection} }`, variables: builder.variables };
  });
}

/** A valid operation with its text or variables damaged: characters cut, inserted or repeated, variables retyped. */
export function mutatedOperation(schema: GraphQLSchema, ids: FuzzIds): fc.Arbitrary<FuzzOperation> {
  const damage = fc.oneof(
    fc.record({ kind: fc.constant('cut' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 12 }) }),
    fc.record({
      kind: fc.constant('insert' as const),
      at: fc.nat(),
      text: fc.constantFrom('{', '}', '(', ')', '$', ':', '!', '@skip', '"', '...', '#', '\\u0000', 'é', ' __schema '),
    }),
    fc.record({ kind: fc.constant('repeat' as const), at: fc.nat(), length: fc.integer({ min: 1, max: 40 }) }),
    fc.record({ kind: fc.constant('retype' as const), value: fc.jsonValue({ maxDepth: 2 }) }),
  );
  return fc
    .tuple(validOperation(schema, ids), fc.array(damage, { minLength: 1, maxLength: 3 }))
    .map(([op, damages]) => {
      let { query } = op;
      const variables = { ...op.variables };
      for (const change of damages) {
        const at = 'at' in change ? change.at % (query.length + 1) : 0;
        if (change.kind === 'cut') query = query.slice(0, at) + query.slice(at + change.length);
        else if (change.kind === 'insert') query = query.slice(0, at) + change.text + query.slice(at);
        else if (change.kind === 'repeat') query = query.slice(0, at + change.length) + query.slice(at);
        else {
          const names = Object.keys(variables);
          variables[names.length > 0 ? names[0]! : 'extra'] = change.value;
        }
      }
      return { query, variables };
    });
}
