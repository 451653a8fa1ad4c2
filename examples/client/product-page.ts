import { print } from 'graphql';
import { ProductPageDocument, type ProductPageQuery } from './generated/graphql.js';

/**
 * A typed client call: the operation and its result type come from the
 * generated module, so a field the schema does not have fails to compile.
 */
export async function fetchProductPage(gatewayUrl: string, id: string): Promise<ProductPageQuery['product']> {
  const response = await fetch(gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query: print(ProductPageDocument), variables: { id } }),
  });
  const body = (await response.json()) as { data?: ProductPageQuery; errors?: { message: string }[] };
  if (body.errors) throw new Error(body.errors.map((error) => error.message).join('; '));
  return body.data!.product;
}
