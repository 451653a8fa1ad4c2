import type { ProductCopies, ProductCopy } from './product-copy.js';
import type { MongoStore } from './store/collections.js';
import * as productDetails from './store/product-details.js';
import { copyRatingsToDetails } from './store/ratings.js';

/**
 * Removes the search documents of products their owner no longer has. Called
 * after a write *created* documents: a product deleted after the owner said it
 * exists, whose ProductDeleted handler ran before our insert, would otherwise
 * keep a document nobody deletes. Reading the owner after the insert closes
 * that: if the deletion committed first we see it here; if it commits later,
 * its event reaches the handler after our insert.
 */
export async function dropDocumentsOfGoneProducts(
  store: MongoStore,
  productCopies: ProductCopies,
  productIds: readonly string[],
): Promise<string[]> {
  if (productIds.length === 0) return [];
  const current = await productCopies.read(productIds);
  const gone = productIds.filter((_, i) => current[i] === null);
  if (gone.length > 0) await productDetails.removeMany(store, gone);
  return gone;
}

/**
 * Writes copies into search documents (newest version wins: `writeCopy` in
 * store/product-details.ts); documents it creates
 * get the product's rating too (reviews may predate them). Returns the ids of
 * the documents created.
 */
export async function writeProductCopies(store: MongoStore, copies: readonly ProductCopy[]): Promise<string[]> {
  const writes = await Promise.all(copies.map((copy) => productDetails.writeCopy(store, copy)));
  const created = copies.filter((_, i) => writes[i] === 'created').map((copy) => copy.productId);
  await copyRatingsToDetails(store, created);
  return created;
}

/**
 * Brings products' search documents up to date with their owner: reads each
 * product now, writes what it reads (a product already gone is left to its
 * ProductDeleted handler), and drops documents it created for products that
 * went meanwhile. Safe to repeat and to run concurrently: the newest version wins.
 */
export async function syncSearchDocuments(
  store: MongoStore,
  productCopies: ProductCopies,
  productIds: readonly string[],
): Promise<void> {
  const copies = (await productCopies.read(productIds)).filter((copy): copy is ProductCopy => copy !== null);
  const created = await writeProductCopies(store, copies);
  await dropDocumentsOfGoneProducts(store, productCopies, created);
}
