import { randomUUID } from 'node:crypto';

/**
 * Object keys are built here and only here; clients never choose them. An
 * asset's id is the base64url of its key, so any replica can resolve an id
 * with one HEAD and no extra index.
 */
const KEY = /^(products|users|orders)\/[0-9a-f-]{36}\/(images|avatar|attachments)\/[0-9a-f-]{36}(\.[a-z0-9]{1,10})?$/;

/** Everything a product owns; it goes when the product is deleted. */
export const productPrefix = (productId: string) => `products/${productId}/`;
/** Everything a user owns; it goes when the user is deleted. */
export const userPrefix = (userId: string) => `users/${userId}/`;
export const productImagePrefix = (productId: string) => `${productPrefix(productId)}images/`;

/** A fresh key under the owner's prefix; the extension is kept so downloads open with the right program. */
export function newProductImageKey(productId: string, filename: string): string {
  const extension = /\.([a-z0-9]{1,10})$/i.exec(filename)?.[1]?.toLowerCase();
  return `${productImagePrefix(productId)}${randomUUID()}${extension ? `.${extension}` : ''}`;
}

export const assetIdFromKey = (key: string) => Buffer.from(key).toString('base64url');

/** The key an asset id stands for, or null when the id is not one this service issued. */
export function keyFromAssetId(id: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(id)) return null;
  const key = Buffer.from(id, 'base64url').toString('utf8');
  return KEY.test(key) ? key : null;
}
