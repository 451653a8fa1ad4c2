import {
  assetIdFromKey,
  filenameProblem,
  keyFromAssetId,
  newAssetKey,
  parseKey,
  pendingKey,
  pendingMarkerKey,
  productPrefix,
  recordOfMarker,
  safeFilename,
  uploadIdOfMarker,
} from '../src/store/keys.js';
import { contentDisposition } from '../src/resolvers/asset.js';

const PRODUCT = '0b3c1a6e-5f2d-4c8b-9e71-2a4d6f8b0c13';
const OBJECT = '9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a';
const id = (key: string) => Buffer.from(key).toString('base64url');

describe('the storage key scheme', () => {
  it('files an upload as {ownerType}/{ownerId}/{uploadId}/{safe filename}, a fresh UUID each time', () => {
    const key = newAssetKey('products', PRODUCT, 'Front View.JPG');
    expect(key).toMatch(new RegExp(`^products/${PRODUCT}/[0-9a-f-]{36}/Front View\\.JPG$`));
    expect(key.startsWith(productPrefix(PRODUCT))).toBe(true);
    expect(newAssetKey('products', PRODUCT, 'Front View.JPG')).not.toBe(key);
    expect(parseKey(key)).toMatchObject({ ownerType: 'products', ownerId: PRODUCT, filename: 'Front View.JPG' });
  });

  it('keeps Unicode (NFC) and replaces only characters unsafe in keys', () => {
    expect(safeFilename('Cafe\u0301 menü 東京.pdf')).toBe('Café menü 東京.pdf');
    expect(safeFilename('a<b>:c"d|e?f*g%h#i.png')).toBe('a_b__c_d_e_f_g_h_i.png');
    expect(safeFilename(' .hidden.png')).toBe('__hidden.png');
  });

  it.each([
    ['an empty name', ''],
    ['a blank name', '   '],
    ['a path', '../../etc/passwd'],
    ['a Windows path', '..\\boot.ini'],
    ['a dot-dot', '..'],
    ['a control character', 'a\nb.png'],
    ['a NUL', 'a\u0000.png'],
    ['a bidirectional override', 'photo\u202egnp.exe'],
    ['over 200 characters', `${'a'.repeat(200)}.png`],
  ])('refuses a filename with %s', (_case, filename) => {
    expect(filenameProblem(filename)).not.toBeNull();
    expect(() => newAssetKey('products', PRODUCT, filename)).toThrow();
  });

  it('keeps the record of a pending upload under pending/, by owner', () => {
    const key = `orders/${PRODUCT}/${OBJECT}/invoice.pdf`;
    expect(pendingKey(key)).toBe(`pending/orders/${PRODUCT}/${OBJECT}`);
  });

  it('marks a pending upload beside its object, in a key no upload can have', () => {
    const key = `orders/${PRODUCT}/${OBJECT}/invoice.pdf`;
    const marker = pendingMarkerKey(key);
    expect(marker).toBe(`orders/${PRODUCT}/${OBJECT}.pending`);
    expect(uploadIdOfMarker(marker)).toBe(OBJECT);
    expect(parseKey(marker)).toBeNull();
    // A client's file named like a marker is an object in its own upload folder, never a marker.
    expect(uploadIdOfMarker(newAssetKey('orders', PRODUCT, `${OBJECT}.pending`))).toBeNull();
    expect(uploadIdOfMarker(key)).toBeNull();
  });

  it('finds the record of the upload a marker stands for (the consistency checker reads it)', () => {
    const key = `orders/${PRODUCT}/${OBJECT}/invoice.pdf`;
    expect(recordOfMarker(pendingMarkerKey(key))).toBe(pendingKey(key));
    expect(recordOfMarker(key)).toBeNull();
  });

  it('gives assets an id that is the base64url of their key, and back', () => {
    const key = newAssetKey('users', PRODUCT, 'me.png');
    const assetId = assetIdFromKey(key);
    expect(assetId).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(keyFromAssetId(assetId)).toBe(key);
  });

  it.each([
    ['an empty id', ''],
    ['characters outside base64url', 'cHJvZHVjdHM+Lw=='],
    ['an id over 1200 characters', 'A'.repeat(1201)],
    ['a key outside the scheme', id('../../etc/passwd')],
    ['a key of another owner type', id(`shops/${PRODUCT}/${OBJECT}/a.png`)],
    ['a key with a path after it', id(`products/${PRODUCT}/${OBJECT}/x/y.png`)],
    ['a key with a dot-dot name', id(`products/${PRODUCT}/${OBJECT}/..`)],
    ['a pending record', id(`pending/products/${PRODUCT}/${OBJECT}`)],
    ['a key with a control character', id(`products/${PRODUCT}/${OBJECT}/a\u0001.png`)],
  ])('reads %s as no asset (null), never as a key', (_case, assetId) => {
    expect(keyFromAssetId(assetId)).toBeNull();
  });
});

describe('Content-Disposition', () => {
  it('carries the exact filename in RFC 5987 form with an ASCII fallback', () => {
    expect(contentDisposition('Café "menü".pdf', 'application/pdf')).toBe(
      `attachment; filename="Caf_ _men__.pdf"; filename*=UTF-8''Caf%C3%A9%20%22men%C3%BC%22.pdf`,
    );
    expect(contentDisposition('a.png', 'image/png')).toMatch(/^inline; /);
  });
});
