import { inSection, integer } from '../variable.js';

/** Refusals before execution (docs/security.md); each is answered with a 4xx or a coded error. */
export const limits = inSection(
  {
    title: 'Gateway limits (docs/security.md)',
    intro: 'Operations over any of these limits are refused before execution, with a 4xx or a coded error.',
  },
  {
    maxDepth: integer({ name: 'GATEWAY_MAX_DEPTH', default: 12, min: 1, max: 100, doc: 'Deepest field nesting.' }),
    maxAliases: integer({ name: 'GATEWAY_MAX_ALIASES', default: 20, min: 0, max: 1000, doc: 'Aliases per operation.' }),
    maxDirectives: integer({
      name: 'GATEWAY_MAX_DIRECTIVES',
      default: 20,
      min: 0,
      max: 1000,
      doc: 'Directives per operation.',
    }),
    maxTokens: integer({
      name: 'GATEWAY_MAX_TOKENS',
      default: 3_000,
      min: 100,
      max: 100_000,
      doc: 'Lexical tokens per document (checked while parsing).',
    }),
    maxCost: integer({
      name: 'GATEWAY_MAX_COST',
      default: 10_000,
      min: 0,
      max: 10_000_000,
      doc: 'Estimated cost per operation of a signed-in client, before planning (each object 1 plus its @cost weight, times the list sizes above it: `first` where @listSize names it, else GATEWAY_DEFAULT_LIST_SIZE); 0: no cost limit at all.',
    }),
    maxAnonymousCost: integer({
      name: 'GATEWAY_MAX_COST_ANONYMOUS',
      default: 1_000,
      min: 0,
      max: 10_000_000,
      doc: 'Estimated cost per operation of a client without a token (at most GATEWAY_MAX_COST), so that what it may ask stays within about 20 ms of gateway CPU; 0: GATEWAY_MAX_COST.',
    }),
    maxAnonymousFetches: integer({
      name: 'GATEWAY_MAX_FETCHES_ANONYMOUS',
      default: 3,
      min: 0,
      max: 1000,
      doc: "Subgraph requests the plan of an operation without a token may make, estimated before planning (one per store and step: products, then their reviews and images is 3; then the reviews' authors, 4); each costs the gateway a few ms of CPU whatever it returns. 0: no limit.",
    }),
    maxAnonymousFields: integer({
      name: 'GATEWAY_MAX_FIELDS_ANONYMOUS',
      default: 60,
      min: 0,
      max: 100_000,
      doc: 'Fields an operation without a token may select, each fragment counted where it is spread (GATEWAY_MAX_FIELDS for everyone); 0: no limit of its own.',
    }),
    defaultListSize: integer({
      name: 'GATEWAY_DEFAULT_LIST_SIZE',
      default: 10,
      min: 1,
      max: 1000,
      doc: 'Assumed length, in the cost estimate, of a list the schema gives no size for (order items, images, tags).',
    }),
    maxBodyBytes: integer({
      name: 'GATEWAY_MAX_BODY_BYTES',
      default: 100 * 1024,
      min: 1024,
      max: 100 * 1024 * 1024,
      doc: 'Largest request body in bytes (413 above it).',
    }),
    maxFields: integer({
      name: 'GATEWAY_MAX_FIELDS',
      default: 200,
      min: 10,
      max: 100_000,
      doc: 'Fields per operation, each fragment counted where it is spread, introspection aside (checked before validation).',
    }),
    maxFieldRepeats: integer({
      name: 'GATEWAY_MAX_FIELD_REPEATS',
      default: 10,
      min: 1,
      max: 1000,
      doc: 'Selections merged into one field of the answer (same response key and path); validation compares each pair, so repeats cost quadratic CPU.',
    }),
    maxFragments: integer({
      name: 'GATEWAY_MAX_FRAGMENTS',
      default: 50,
      min: 0,
      max: 10_000,
      doc: 'Fragment definitions per document.',
    }),
    maxVariables: integer({
      name: 'GATEWAY_MAX_VARIABLES',
      default: 50,
      min: 0,
      max: 10_000,
      doc: 'Variable definitions per operation.',
    }),
  },
);
