import { graphqlRequest } from '@polystore/common';
import { asAdmin } from './tokens.js';

export interface TestAttribute {
  name: string;
  type: 'STRING' | 'INT' | 'FLOAT' | 'BOOLEAN' | 'ENUM' | 'STRING_LIST' | 'ENUM_LIST';
  required?: boolean;
  values?: string[];
}

/**
 * Creates (or replaces) a category through the gateway or the mongo-subgraph,
 * so details can be written for it; attributes default to none. Sent as an
 * admin (the gateway requires the scope; a subgraph ignores the header).
 */
export async function upsertTestCategory(url: string, slug: string, attributes: TestAttribute[] = []): Promise<void> {
  const result = await graphqlRequest(
    url,
    `mutation ($input: UpsertCategoryInput!) { upsertCategory(input: $input) { slug } }`,
    { input: { slug, name: slug, attributes } },
    { headers: asAdmin() },
  );
  if (result.errors) throw new Error(`upsertCategory ${slug}: ${JSON.stringify(result.errors)}`);
}

/** Creates a product through the gateway (or the sql-subgraph) as an admin; returns its id. */
export async function createTestProduct(
  url: string,
  {
    sku,
    name,
    amount,
    currency = 'EUR',
    stock,
  }: { sku: string; name: string; amount: number; currency?: string; stock: number },
): Promise<string> {
  const result = await graphqlRequest<{ createProduct: { id: string } }>(
    url,
    `mutation ($input: CreateProductInput!) { createProduct(input: $input) { id } }`,
    { input: { sku, name, price: { amount, currency }, stock } },
    { headers: asAdmin() },
  );
  if (result.errors) throw new Error(`createProduct ${sku}: ${JSON.stringify(result.errors)}`);
  return result.data!.createProduct.id;
}
