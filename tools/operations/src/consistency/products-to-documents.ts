import { documentsByProductIds } from '@polystore/mongo-subgraph/operations';
import { productsPage, type ProductEntity } from '@polystore/sql-subgraph/operations';
import type { Stores } from './stores.js';
import type { Tallies } from './report.js';

/** Products per page: the most one keyset page of the sql-subgraph's store layer returns. */
const PAGE = 100;

/**
 * PostgreSQL → MongoDB. Every product has a product_details document, its
 * search document (written on ProductCreated, and by the mongo-subgraph's
 * catch-up for older products), carrying copies of the product's name and
 * sku. A product's *details* (description, category, ...) are optional: a
 * product without them is no finding. Pages through the products oldest
 * first, one page and its documents at a time. Returns how many products were read.
 */
export async function checkProductsHaveDocuments({ sql, mongo }: Stores, tallies: Tallies): Promise<number> {
  let after: string | null = null;
  let read = 0;
  do {
    const page = await productsPage(sql, { first: PAGE, after });
    const products: ProductEntity[] = page.edges.map((edge) => edge.node);
    const documents = new Map(
      (
        await documentsByProductIds(
          mongo,
          products.map((product) => product.id),
        )
      ).map((document) => [document.productId, document]),
    );
    for (const product of products) {
      const document = documents.get(product.id);
      if (!document) tallies.found('productsWithoutSearchDocument', product.id);
      else if (document.name !== product.name || document.sku !== product.sku) {
        tallies.found('staleSearchCopies', product.id);
      }
    }
    read += products.length;
    after = page.pageInfo.hasNextPage ? page.pageInfo.endCursor : null;
  } while (after);
  return read;
}
