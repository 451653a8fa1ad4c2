import { graphqlRequest, ownerOf, serviceUnavailable, subgraphDefaultUrl, type Config } from '@polystore/common';
import type { ProductDetailsDocument } from './models.js';

const PRODUCT_FIELDS = `query ($representations: [_Any!]!) {
  _entities(representations: $representations) { ... on Product { id name sku createdAt } }
}`;

export type ProductCopy = Pick<ProductDetailsDocument, 'name' | 'sku' | 'productCreatedAt'>;

/**
 * Reads what search needs of products (name, sku, creation time) from their
 * owner, through `_entities` like the reference checks: the event stream
 * says *that* a product changed, the owner says what it is now, so a late or
 * repeated event can never write an old name. Null for a product that is gone.
 */
export function createProductCopier(subgraphUrls: Config['subgraphUrls'], timeoutMs = 5_000) {
  const owner = ownerOf('Product');
  const url = subgraphUrls[owner.name] ?? subgraphDefaultUrl(owner);
  return async (productIds: readonly string[]): Promise<(ProductCopy | null)[]> => {
    if (productIds.length === 0) return [];
    let body;
    try {
      body = await graphqlRequest<{ _entities: ({ name: string; sku: string; createdAt: string } | null)[] }>(
        url,
        PRODUCT_FIELDS,
        { representations: productIds.map((id) => ({ __typename: 'Product', id })) },
        { timeoutMs },
      );
    } catch (err) {
      throw serviceUnavailable(`${owner.service} cannot be reached to read products`, {
        reason: err instanceof Error ? err.message : String(err),
      });
    }
    const entities = body.data?._entities;
    if (!entities || entities.length !== productIds.length) {
      throw serviceUnavailable(`${owner.service} did not answer a product read`, {
        reason: body.errors?.map((error) => error.message).join('; ') ?? 'no _entities in the answer',
      });
    }
    return entities.map((entity) =>
      entity ? { name: entity.name, sku: entity.sku, productCreatedAt: new Date(entity.createdAt) } : null,
    );
  };
}

export type ProductCopier = ReturnType<typeof createProductCopier>;
