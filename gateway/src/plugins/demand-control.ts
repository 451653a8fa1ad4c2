import type { GatewayConfig } from '@graphql-hive/gateway-runtime';
import type { Config } from '@polystore/common';
import { Kind, parse, print, visit, type ConstDirectiveNode, type TypeNode } from 'graphql';

/**
 * The runtime's demand control (its `demandControl` option): before each subgraph
 * request the gateway estimates that request's cost from the subgraph schema:
 * each object 1 plus its `@cost` weight, times the size of every list above it,
 * which is `first` where the field's `@listSize(slicingArguments: ["first"])`
 * names it, else the list's `@listSize(assumedSize)`, else
 * GATEWAY_DEFAULT_LIST_SIZE. The costs of one operation's requests add up; the
 * request that would take the sum past GATEWAY_MAX_COST is not sent and the
 * client gets COST_ESTIMATED_TOO_EXPENSIVE. GATEWAY_MAX_COST=0: no limit.
 */
export function demandControl(config: Config): Pick<GatewayConfig<Record<string, unknown>>, 'demandControl'> {
  const { maxCost, defaultListSize } = config.gateway.limits;
  if (maxCost === 0) return {};
  return { demandControl: { maxCost, listSize: defaultListSize, includeExtensionMetadata: false } };
}

const isList = (type: TypeNode): boolean =>
  type.kind === Kind.NON_NULL_TYPE ? isList(type.type) : type.kind === Kind.LIST_TYPE;

const assumedSize = (size: number): ConstDirectiveNode => ({
  kind: Kind.DIRECTIVE,
  name: { kind: Kind.NAME, value: 'listSize' },
  arguments: [
    {
      kind: Kind.ARGUMENT,
      name: { kind: Kind.NAME, value: 'assumedSize' },
      value: { kind: Kind.INT, value: String(size) },
    },
  ],
});

/**
 * The supergraph with `@listSize(assumedSize: GATEWAY_DEFAULT_LIST_SIZE)` on every
 * list field that has no `@listSize` of its own. The runtime (2.12.1) applies its
 * default list size only to nullable lists (`[Item!]`), and nearly every list here
 * is non-null (`[Item!]!`), so the default is written where it reads it. Left as
 * it is when cost limits are off or the supergraph declares no `@listSize`.
 */
export function withDefaultListSizes(config: Config): (supergraph: string) => string {
  const { maxCost, defaultListSize } = config.gateway.limits;
  let last: { input: string; output: string } | undefined;
  return (supergraph) => {
    if (maxCost === 0 || !/^directive @listSize\(/m.test(supergraph)) return supergraph;
    if (last?.input === supergraph) return last.output;
    const output = print(
      visit(parse(supergraph), {
        FieldDefinition(node) {
          if (!isList(node.type) || node.directives?.some((directive) => directive.name.value === 'listSize')) return;
          return { ...node, directives: [...(node.directives ?? []), assumedSize(defaultListSize)] };
        },
      }),
    );
    last = { input: supergraph, output };
    return output;
  };
}
