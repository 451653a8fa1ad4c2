import { assetIdFromKey, keyFromAssetId, newProductImageKey, productImagePrefix } from '../src/keys.js';

const PRODUCT = '0b3c1a6e-5f2d-4c8b-9e71-2a4d6f8b0c13';
const OBJECT = '9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a';
const id = (key: string) => Buffer.from(key).toString('base64url');

describe('the storage key scheme', () => {
  it('files product images under the product', () => {
    expect(productImagePrefix(PRODUCT)).toBe(`products/${PRODUCT}/images/`);
  });

  it('names each new image by a fresh UUID, keeping a short extension in lower case', () => {
    const key = newProductImageKey(PRODUCT, 'Front View.JPG');
    expect(key).toMatch(new RegExp(`^products/${PRODUCT}/images/[0-9a-f-]{36}\\.jpg$`));
    expect(newProductImageKey(PRODUCT, 'Front View.JPG')).not.toBe(key);
  });

  it.each([
    ['no extension', 'README'],
    ['an extension longer than 10 characters', 'photo.averyverylongext'],
    ['a trailing dot', 'photo.'],
    ['a path in the name', '../../etc/passwd'],
  ])('keeps no extension from a file name with %s', (_case, filename) => {
    expect(newProductImageKey(PRODUCT, filename)).toMatch(new RegExp(`^products/${PRODUCT}/images/[0-9a-f-]{36}$`));
  });

  it('gives assets an id that is the base64url of their key, and back', () => {
    const key = newProductImageKey(PRODUCT, 'a.png');
    const assetId = assetIdFromKey(key);
    expect(assetId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(keyFromAssetId(assetId)).toBe(key);
  });

  it.each([
    `users/${PRODUCT}/avatar/${OBJECT}.png`,
    `orders/${PRODUCT}/attachments/${OBJECT}`,
    `products/${PRODUCT}/images/${OBJECT}.webp`,
  ])('resolves ids of every owner and kind it issues: %s', (key) => {
    expect(keyFromAssetId(id(key))).toBe(key);
  });

  it.each([
    ['an empty id', ''],
    ['characters outside base64url', 'cHJvZHVjdHM+Lw=='],
    ['an id over 400 characters', 'A'.repeat(401)],
    ['a key outside the scheme', id('../../etc/passwd')],
    ['a key of another owner type', id(`shops/${PRODUCT}/images/${OBJECT}`)],
    ['a key with a path after it', id(`products/${PRODUCT}/images/${OBJECT}/x`)],
    ['an upper-case extension', id(`products/${PRODUCT}/images/${OBJECT}.PNG`)],
  ])('reads %s as no asset (null), never as a key', (_case, assetId) => {
    expect(keyFromAssetId(assetId)).toBeNull();
  });
});
