import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * How a client generates typed operations from Polystore's public schema
 * (`npm run schema` writes schema.graphql at the repository root). Run from
 * the root: `npx graphql-codegen --config examples/client/codegen.ts`.
 */
const config: CodegenConfig = {
  schema: 'schema.graphql',
  // ESM imports with .js extensions, as Node and TypeScript's NodeNext resolution want.
  emitLegacyCommonJSImports: false,
  documents: ['examples/client/*.graphql'],
  generates: {
    'examples/client/generated/': {
      preset: 'client',
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string', JSON: 'unknown' } },
      // persisted-documents.json: the manifest `npm run persist` registers for the gateway's allow-list.
      presetConfig: { persistedDocuments: { hashAlgorithm: 'sha256' } },
    },
  },
};

export default config;
