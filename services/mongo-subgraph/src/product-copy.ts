import { ownerOf, querySubgraph, readFromOwner, type OwnerQueryOptions } from '@polystore/common';

/**
 * What search needs of a product, as its owner (the sql-subgraph) holds it
 * now. `productUpdatedAt` is the owner's `updatedAt`: the version a search
 * document keeps, so an older copy never overwrites a newer one.
 */
export interface ProductCopy {
  productId: string;
  name: string;
  sku: string;
  productCreatedAt: Date;
  productUpdatedAt: Date;
}

interface OwnerProduct {
  id: string;
  name: string;
  sku: string;
  createdAt: string;
  updatedAt: string;
}

const FIELDS = 'id name sku createdAt updatedAt';
/** Products per page of the owner's `products` list (its maximum `first`). */
export const OWNER_PAGE_SIZE = 100;

const copyOf = (product: OwnerProduct): ProductCopy => ({
  productId: product.id,
  name: product.name,
  sku: product.sku,
  productCreatedAt: new Date(product.createdAt),
  productUpdatedAt: new Date(product.updatedAt),
});

/**
 * Reads what search needs of products from their owner, on the same path as
 * the reference checks (`readFromOwner`, `querySubgraph`): the event stream
 * says *that* a product changed, the owner says what it is now, so a late or
 * repeated event can never write an old name.
 */
export function createProductCopies(owner: OwnerQueryOptions) {
  return {
    /** The products' current fields; null for a product that is gone. */
    async read(productIds: readonly string[]): Promise<(ProductCopy | null)[]> {
      const products = await readFromOwner<OwnerProduct>(owner, 'Product', productIds, FIELDS);
      return products.map((product) => (product ? copyOf(product) : null));
    },
    /** One page of every product the owner has, in its order (newest first), for the catch-up. */
    async list(
      after: string | null,
    ): Promise<{ copies: ProductCopy[]; endCursor: string | null; hasNextPage: boolean }> {
      const query = `query ($first: Int!, $after: String) {
        products(first: $first, after: $after) { edges { node { ${FIELDS} } } pageInfo { hasNextPage endCursor } }
      }`;
      type Page = {
        products: { edges: { node: OwnerProduct }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
      };
      const { data } = await querySubgraph<Page>(
        owner,
        ownerOf('Product'),
        query,
        { first: OWNER_PAGE_SIZE, after },
        'list products',
      );
      const { edges, pageInfo } = data!.products;
      return { copies: edges.map((edge) => copyOf(edge.node)), ...pageInfo };
    },
  };
}

export type ProductCopies = ReturnType<typeof createProductCopies>;
