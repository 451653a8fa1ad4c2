import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { canonicalJson } from '@polystore/common';
import { getOperationAST, Kind, print, type DefinitionNode, type ExecutionResult, type GraphQLSchema } from 'graphql';
import { isAsyncIterable } from '../execution.js';
import { readAnswer } from './answer.js';
import type { RedisResponseStore } from './redis-store.js';
import { documentOf, LOOKED_UP_BEFORE_RUNTIME, responseId, type IdScope } from './response-id.js';

/** The mark of an answer served from the cache (the symbol Yoga's cache used; `metrics.ts` counts hits by it). */
export const SERVED_FROM_CACHE = Symbol.for('servedFromResponseCache');

export interface ResponseCacheOptions {
  cache: RedisResponseStore;
  /** The gateway's id scope: this plugin keeps its supergraph identity current. */
  scope: IdScope;
  /** Lifetime of an answer, in ms, unless a type in it has a shorter one. */
  ttlMs: number;
  /** Shorter lifetimes of some object types, in ms: an answer lives as long as the shortest of its types. */
  ttlMsPerType: Record<string, number>;
}

const identities = new WeakMap<GraphQLSchema, string>();

/**
 * The identity of a served supergraph: a hash of the definitions the runtime
 * built its schema from (the supergraph's SDL as parsed, the join directives
 * that route each field included) and of the subgraphs' locations, so a hot
 * reload that changes any type, field, route or subgraph URL changes every key.
 */
export function supergraphIdentity(schema: GraphQLSchema): string {
  let identity = identities.get(schema);
  if (identity === undefined) {
    const nodes: (DefinitionNode | null | undefined)[] = [
      schema.astNode,
      ...schema.extensionASTNodes,
      ...schema.getDirectives().map((directive) => directive.astNode),
    ];
    // Types the runtime made without a definition (built-ins) are named, with their fields.
    const made: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.astNode) nodes.push(type.astNode, ...type.extensionASTNodes);
      else made.push(`${type.name}(${'getFields' in type ? Object.keys(type.getFields()).join(',') : ''})`);
    }
    const definitions = nodes.filter((node): node is DefinitionNode => node !== undefined && node !== null);
    // The runtime keeps each subgraph's location (`@transport`) in the schema's extensions.
    const locations = canonicalJson((schema.extensions as { directives?: unknown }).directives ?? null);
    const printed = `${print({ kind: Kind.DOCUMENT, definitions })}\n${made.join('\n')}\n${locations}`;
    identity = createHash('sha256').update(printed).digest('base64url');
    identities.set(schema, identity);
  }
  return identity;
}

/**
 * Whole answers to queries, from the store, keyed by the served supergraph's
 * identity, the admission settings, the operation, its name and variables, and
 * the caller's `Authorization` header (`responseId`). The operation the planner gets is the client's:
 * what to invalidate the answer for is read from the answer itself
 * (`answer.ts`). An answer is stored only when it has no errors, no subgraph
 * answered an entity fetch for it with `null`, it holds no `null` where an
 * entity belongs, it sets no HTTP status or header, and it was made on the
 * supergraph its key names; a mutation drops every answer holding an entity
 * in its result. Most hits are answered before the runtime
 * (`hits-before-runtime.ts`); this plugin answers the rest (a chunked body, a
 * token not verified yet, a CORS request, tracing on).
 */
export function useCachedResponses({ cache, scope, ttlMs, ttlMsPerType }: ResponseCacheOptions): GatewayPlugin {
  // The key looked up for each request, and the supergraph it names.
  const lookups = new WeakMap<Request, { key: string; supergraph: string }>();
  // Operations (by context) for which a subgraph answered an entity fetch with null.
  const emptyEntities = new WeakSet<object>();
  return {
    onSchemaChange({ schema }) {
      scope.supergraph = supergraphIdentity(schema);
    },

    async onParams({ params, request, setResult, context }) {
      const { supergraph, settings } = scope;
      const document = params.query ? documentOf(params) : undefined;
      // Over graphql-ws there is no request (nor its Authorization header to key by): not cached there.
      if (supergraph === undefined || !document || !request) return;
      const key = responseId({ supergraph, settings }, document, params, request.headers.get('authorization'));
      lookups.set(request, { key, supergraph });
      const req = (context as { req?: IncomingMessage & { [LOOKED_UP_BEFORE_RUNTIME]?: string } }).req;
      if (req?.[LOOKED_UP_BEFORE_RUNTIME] === key) return;
      const cached = await cache.get(key);
      if (cached) setResult({ ...cached, [SERVED_FROM_CACHE]: true } as ExecutionResult);
    },

    // However the planner merges it (a null object, or an object of nulls), an entity a subgraph did not
    // resolve may be a failed fetch without an error: such an answer is not stored.
    onSubgraphExecute({ executionRequest }) {
      const context = executionRequest.context as object | undefined;
      if (!context || executionRequest.operationType === 'mutation') return;
      return ({ result }) => {
        if (isAsyncIterable<unknown>(result)) return;
        const entities = (result.data as { _entities?: unknown } | null | undefined)?._entities;
        if (Array.isArray(entities) && entities.includes(null)) emptyEntities.add(context);
      };
    },

    onExecute({ args }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation === 'mutation') {
        return {
          onExecuteDone({ result }) {
            if (isAsyncIterable<unknown>(result) || !result.data) return;
            const { entities, types, truncated } = readAnswer(args.schema, operation, args.document, result.data);
            // A result too large to read through drops every answer holding any of its types.
            void cache.invalidate(truncated ? [...types].map((typename) => ({ typename })) : entities);
          },
        };
      }
      if (operation?.operation !== 'query') return;
      const request = (args.contextValue as { request?: Request }).request;
      const lookup = request && lookups.get(request);
      // Made on another supergraph than its key names (a swap in between): not stored.
      if (!lookup || supergraphIdentity(args.schema) !== lookup.supergraph) return;
      return {
        onExecuteDone({ result }) {
          if (isAsyncIterable<unknown>(result) || result.errors?.length || !result.data) return;
          // An answer that sets its own status or headers is sent as the runtime sends it, never early.
          if ((result.extensions as { http?: unknown } | undefined)?.http) return;
          if (emptyEntities.has(args.contextValue as object)) return;
          const { entities, types, refusal } = readAnswer(args.schema, operation, args.document, result.data);
          if (refusal) return;
          const ttl = Math.min(ttlMs, ...[...types].map((type) => ttlMsPerType[type] ?? ttlMs));
          void cache.set(lookup.key, result, entities, ttl);
        },
      };
    },
  };
}
