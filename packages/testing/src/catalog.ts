import { graphqlRequest } from '@polystore/common';

export interface TestAttribute {
  name: string;
  type: 'STRING' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'ENUM' | 'STRING_LIST' | 'ENUM_LIST';
  required?: boolean;
  values?: string[];
}

/**
 * Creates (or replaces) a category through the gateway or the mongo-subgraph,
 * so details can be written for it; attributes default to none.
 */
export async function upsertTestCategory(url: string, slug: string, attributes: TestAttribute[] = []): Promise<void> {
  const result = await graphqlRequest(
    url,
    `mutation ($input: UpsertCategoryInput!) { upsertCategory(input: $input) { slug } }`,
    { input: { slug, name: slug, attributes } },
  );
  if (result.errors) throw new Error(`upsertCategory ${slug}: ${JSON.stringify(result.errors)}`);
}
