import { readFileSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';
import { SUBGRAPHS, subgraphDirectory, subgraphSchemaPath } from '@polystore/common/subgraphs';

/** A subgraph's `codegen.json`: its context type and the model each GraphQL type resolves from. */
interface SubgraphCodegen {
  contextType: string;
  mappers: Record<string, string>;
}

/** Resolver types for every subgraph of the registry, generated from its schema.graphql. */
const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(
    SUBGRAPHS.map((subgraph) => {
      const dir = subgraphDirectory(subgraph);
      const { contextType, mappers } = JSON.parse(readFileSync(`${dir}/codegen.json`, 'utf8')) as SubgraphCodegen;
      return [
        `${dir}/src/generated/resolvers-types.ts`,
        {
          schema: subgraphSchemaPath(subgraph),
          plugins: ['typescript', 'typescript-resolvers'],
          config: {
            federation: true,
            contextType,
            mappers,
            useTypeImports: true,
            enumsAsTypes: true,
            avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
            scalars: { DateTime: 'Date | string', JSON: 'unknown' },
          },
        },
      ];
    }),
  ),
};

export default config;
