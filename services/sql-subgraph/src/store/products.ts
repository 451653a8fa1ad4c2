import type { DataSource } from 'typeorm';
import { isUuid, orderByKeys, type Connection, type PageArgs } from '@polystore/common';
import { ProductSchema, type ProductEntity } from '../entities/index.js';
import { withDbErrors } from '../db/errors.js';
import { creationPage } from './keyset.js';
import { modify, select, type Queryable } from '../db/statements.js';

/** Every statement on `products`, and the `product_sales` view. */

/** A products row as a ProductEntity. */
const PRODUCT = `id, sku, name, price_amount AS "priceAmount", price_currency AS "priceCurrency", stock,
  created_at AS "createdAt", updated_at AS "updatedAt"`;

/** One statement for a batch of ids (products_pkey); null for ids without a row. */
export async function byIds(db: Queryable, ids: readonly string[]): Promise<(ProductEntity | null)[]> {
  const valid = ids.filter(isUuid);
  const rows =
    valid.length === 0
      ? []
      : await select<ProductEntity>(db, `SELECT ${PRODUCT} FROM products WHERE id = ANY ($1::uuid[])`, [valid]);
  return orderByKeys(ids, rows, (row) => row.id);
}

/** The product with this sku, or null (products_sku_key). */
export async function bySku(db: Queryable, sku: string): Promise<ProductEntity | null> {
  const [row] = await select<ProductEntity>(db, `SELECT ${PRODUCT} FROM products WHERE sku = $1`, [sku]);
  return row ?? null;
}

/** Products oldest first, keyset-paginated on (created_at, id) (products_created_at_id_idx). */
export function page(db: Queryable, args: PageArgs): Promise<Connection<ProductEntity>> {
  return creationPage<ProductEntity>(db, 'products', PRODUCT, args);
}

/** Units sold per product, cancelled orders excluded (the product_sales view); 0 when none. */
export async function unitsSold(db: Queryable, productIds: readonly string[]): Promise<number[]> {
  const rows = await select<{ productId: string; unitsSold: number }>(
    db,
    `SELECT product_id AS "productId", units_sold AS "unitsSold" FROM product_sales WHERE product_id = ANY ($1::uuid[])`,
    [productIds.filter(isUuid)],
  );
  const sold = new Map(rows.map((row) => [row.productId, row.unitsSold]));
  return productIds.map((id) => sold.get(id) ?? 0);
}

/** Inserts a product; the database fills id and timestamps (products_sku_key makes a taken sku CONFLICT). */
export function insert(
  db: DataSource,
  product: Pick<ProductEntity, 'sku' | 'name' | 'priceAmount' | 'priceCurrency' | 'stock'>,
): Promise<ProductEntity> {
  const repository = db.getRepository(ProductSchema);
  return withDbErrors(() => repository.save(repository.create(product)));
}

/** Changes the given fields (null keeps one); false when there is no such product. */
export async function update(
  db: Queryable,
  id: string,
  { name, price }: { name: string | null; price: { amount: number; currency: string } | null },
): Promise<boolean> {
  const rows = await modify(
    db,
    `UPDATE products SET name = coalesce($2, name), price_amount = coalesce($3, price_amount),
            price_currency = coalesce($4, price_currency)
     WHERE id = $1 RETURNING id`,
    [id, name, price?.amount ?? null, price?.currency ?? null],
  );
  return rows.length > 0;
}

/** Adds to the stock in one statement, so concurrent restocks all count; false when there is no such product. */
export async function restock(db: Queryable, id: string, quantity: number): Promise<boolean> {
  const rows = await modify(db, 'UPDATE products SET stock = stock + $2 WHERE id = $1 RETURNING id', [id, quantity]);
  return rows.length > 0;
}

/** Deletes a product; false when there was none. A product that was ordered is still referenced (CONFLICT). */
export async function remove(db: Queryable, id: string): Promise<boolean> {
  return (await modify(db, 'DELETE FROM products WHERE id = $1 RETURNING id', [id])).length > 0;
}
