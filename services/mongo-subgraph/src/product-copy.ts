import { readFromOwner, type OwnerQueryOptions } from '@polystore/common';
import type { ProductDetailsDocument } from './models.js';

export type ProductCopy = Pick<ProductDetailsDocument, 'name' | 'sku' | 'productCreatedAt'>;

/**
 * Reads what search needs of products (name, sku, creation time) from their
 * owner (`readFromOwner`, the same path as the reference checks): the event stream
 * says *that* a product changed, the owner says what it is now, so a late or
 * repeated event can never write an old name. Null for a product that is gone.
 */
export function createProductCopier(owner: OwnerQueryOptions) {
  return async (productIds: readonly string[]): Promise<(ProductCopy | null)[]> => {
    const products = await readFromOwner<{ name: string; sku: string; createdAt: string }>(
      owner,
      'Product',
      productIds,
      'name sku createdAt',
    );
    return products.map((product) =>
      product ? { name: product.name, sku: product.sku, productCreatedAt: new Date(product.createdAt) } : null,
    );
  };
}

export type ProductCopier = ReturnType<typeof createProductCopier>;
