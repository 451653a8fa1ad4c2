import { defaultExtractScopes } from '@envelop/generic-auth';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import { BREAK, visit, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from 'graphql';

/** Per schema and document, the callers (operation name and scopes) the document was allowed for. */
const allowed = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Set<string>>>();
/** Enough for every scope set a deployment hands out; more is not remembered (still checked). */
const MAX_CALLERS_PER_DOCUMENT = 64;
/** Whether a document's `@skip`/`@include` read a variable, so whether a field is checked depends on the request. */
const readsVariablesInDirectives = new WeakMap<DocumentNode, boolean>();

type ExecuteHook = NonNullable<GatewayPlugin['onExecute']>;
type HookPayload = Parameters<ExecuteHook>[0];

/**
 * Wraps `@envelop/generic-auth` so its per-request work runs once per kind of
 * request. Its checks run in an extended validation (`@envelop/extended-validation`)
 * that walks the document on every execution and then hands on a rebuilt copy of
 * it; the runtime keeps its query plans (and the subgraph documents, printed once
 * each) per document object, so every authorized request was planned and printed
 * afresh. Here an allowed operation keeps its original document, and the decision
 * is remembered per schema, document, operation name and caller: signed in or not,
 * with which scopes, the only things the checks read besides the document (and the
 * variables of a variable `@skip`/`@include`, whose documents are checked each
 * time). A refusal is never remembered: it is checked, and answered, every time.
 */
export function withRememberedDecisions(
  genericAuth: GatewayPlugin,
  userOf: (context: Record<string, unknown>) => unknown,
): GatewayPlugin {
  return {
    ...genericAuth,
    onPluginInit(payload) {
      genericAuth.onPluginInit?.({
        ...payload,
        addPlugin: (added) =>
          payload.addPlugin(
            rememberingValidation(added as GatewayPlugin, userOf) as Parameters<typeof payload.addPlugin>[0],
          ),
      });
    },
  };
}

function rememberingValidation(
  validation: GatewayPlugin,
  userOf: (context: Record<string, unknown>) => unknown,
): GatewayPlugin {
  const remembering = (check: ExecuteHook | undefined): ExecuteHook | undefined =>
    check &&
    ((payload: HookPayload) => {
      const args = payload.args as ExecutionArgs;
      const caller = callerKey(args, userOf(args.contextValue as Record<string, unknown>));
      const decisions = caller === undefined ? undefined : decisionsFor(args.schema, args.document);
      if (caller !== undefined && decisions?.has(caller)) return undefined;
      const original = args.document;
      let refused = false;
      const hooks = check({
        ...payload,
        setResultAndStopExecution(result) {
          refused = true;
          payload.setResultAndStopExecution(result);
        },
      } as HookPayload);
      if (!refused) {
        // The copy the validation hands on says the same as the original once nothing was refused.
        args.document = original;
        if (caller !== undefined && decisions && decisions.size < MAX_CALLERS_PER_DOCUMENT) decisions.add(caller);
      }
      return hooks;
    });
  return {
    ...validation,
    onExecute: remembering(validation.onExecute),
    onSubscribe: remembering(validation.onSubscribe as ExecuteHook | undefined) as GatewayPlugin['onSubscribe'],
  };
}

/** The operation and who asks, as far as the checks can tell; undefined when the variables matter too. */
function callerKey(args: ExecutionArgs, user: unknown): string | undefined {
  if (readsVariables(args.document)) return undefined;
  const who = user == null ? '' : `user ${JSON.stringify([...defaultExtractScopes(user)].sort())}`;
  return `${args.operationName ?? ''}\n${who}`;
}

function decisionsFor(schema: GraphQLSchema, document: DocumentNode): Set<string> {
  let bySchema = allowed.get(schema);
  if (!bySchema) allowed.set(schema, (bySchema = new WeakMap()));
  let decisions = bySchema.get(document);
  if (!decisions) bySchema.set(document, (decisions = new Set()));
  return decisions;
}

function readsVariables(document: DocumentNode): boolean {
  let reads = readsVariablesInDirectives.get(document);
  if (reads === undefined) {
    reads = false;
    visit(document, {
      Directive(node) {
        if ((node.name.value === 'skip' || node.name.value === 'include') && node.arguments?.some(isVariable)) {
          reads = true;
          return BREAK;
        }
        return undefined;
      },
    });
    readsVariablesInDirectives.set(document, reads);
  }
  return reads;
}

const isVariable = (argument: { value: { kind: string } }) => argument.value.kind === 'Variable';
