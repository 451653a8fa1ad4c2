import type { CodegenConfig } from '@graphql-codegen/cli';
/**
 * How a client generates typed operations from Polystore's public schema
 * (`npm run schema` writes schema.graphql at the repository root). Run from
 * the root: `npx graphql-codegen --config examples/client/codegen.ts`.
 */
declare const config: CodegenConfig;
export default config;
