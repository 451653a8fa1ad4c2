import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import {
  getOperationAST,
  Kind,
  print,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** Distinct introspection documents kept per schema: the IDE's, codegen's and a few more. */
const MAX_DOCUMENTS = 32;

/** Whether every root field of the operation is a meta field (`__schema`, `__type`, `__typename`). */
function onlyMetaFields(selectionSet: SelectionSetNode, document: DocumentNode): boolean {
  return selectionSet.selections.every((selection) => {
    if (selection.kind === Kind.FIELD) return selection.name.value.startsWith('__');
    if (selection.kind === Kind.INLINE_FRAGMENT) return onlyMetaFields(selection.selectionSet, document);
    const fragment = document.definitions.find(
      (definition) => definition.kind === Kind.FRAGMENT_DEFINITION && definition.name.value === selection.name.value,
    );
    return fragment?.kind === Kind.FRAGMENT_DEFINITION && onlyMetaFields(fragment.selectionSet, document);
  });
}

/** The document as text without its operation's name: fresh names of one query share an entry. */
function keyOf(document: DocumentNode, operation: OperationDefinitionNode, variables: unknown): string {
  const unnamed = document.definitions.map((definition) =>
    definition === operation ? { ...operation, name: undefined } : definition,
  );
  return `${print({ ...document, definitions: unnamed })}\n${JSON.stringify(variables ?? {})}`;
}

/**
 * Answers a repeated introspection query from memory: the answer depends only on
 * the schema, and walking the whole supergraph costs about 25 ms of CPU each
 * time (the IDE and codegen ask it on every load; an attacker could ask it in a
 * loop with fresh operation names). Kept per schema object, so a supergraph swap
 * starts afresh; at most MAX_DOCUMENTS documents per schema, the first ones kept.
 */
export function useIntrospectionCache(): GatewayPlugin {
  const answers = new WeakMap<GraphQLSchema, Map<string, ExecutionResult>>();
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const operation = getOperationAST(args.document, args.operationName);
      if (operation?.operation !== 'query' || !onlyMetaFields(operation.selectionSet, args.document)) return;
      const forSchema = answers.get(args.schema) ?? new Map<string, ExecutionResult>();
      answers.set(args.schema, forSchema);
      const key = keyOf(args.document, operation, args.variableValues);
      const known = forSchema.get(key);
      if (known) {
        setResultAndStopExecution({ ...known });
        return;
      }
      return {
        onExecuteDone({ result }) {
          const complete = result as ExecutionResult;
          if (Symbol.asyncIterator in Object(result) || complete.errors || forSchema.size >= MAX_DOCUMENTS) return;
          forSchema.set(key, complete);
        },
      };
    },
  };
}
