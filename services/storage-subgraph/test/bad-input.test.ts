import { randomUUID } from 'node:crypto';
import { errorCodes, sampleFile } from '@polystore/testing';
import { assetIdFromKey } from '../src/store/keys.js';
import { putProductImage } from '../src/store/server-writes.js';
import { uploadTestFile } from './support/uploads.js';

/** What the service refuses, with its code, leaving the bucket as it was. */
const { product: PRODUCT, bed, request, upload, complete } = uploadTestFile();

describe('bad input', () => {
  const valid = { ownerType: 'PRODUCT', ownerId: PRODUCT, filename: 'a.png', contentType: 'image/png', size: 10 };

  it.each([
    ['path traversal', { filename: '../../etc/passwd.png' }, 'BAD_USER_INPUT'],
    ['a control character', { filename: 'a\r\nb.png' }, 'BAD_USER_INPUT'],
    ['an empty name', { filename: '' }, 'BAD_USER_INPUT'],
    ['an unknown owner type', { ownerType: 'SHOP' }, 'BAD_USER_INPUT'],
    ['a type outside the rules', { contentType: 'text/html', filename: 'a.html' }, 'BAD_USER_INPUT'],
    ['a PDF on a product', { contentType: 'application/pdf', filename: 'a.pdf' }, 'BAD_USER_INPUT'],
    ['an extension unlike the type', { filename: 'a.exe' }, 'BAD_USER_INPUT'],
    ['a size over the limit', { size: 1001 }, 'BAD_USER_INPUT'],
    ['a size of zero', { size: 0 }, 'BAD_USER_INPUT'],
    ['a fractional size', { size: 1.5 }, 'BAD_USER_INPUT'],
    ['a malformed owner id', { ownerId: 'nope' }, 'BAD_USER_INPUT'],
    ['an unknown product', { ownerId: randomUUID() }, 'NOT_FOUND'],
    ['an unknown user', { ownerType: 'USER', ownerId: randomUUID() }, 'NOT_FOUND'],
    ['an unknown order', { ownerType: 'ORDER', ownerId: randomUUID() }, 'NOT_FOUND'],
  ])('refuses %s with its code and leaves nothing behind', async (_case, change, code) => {
    const before = await bed.objectKeys();
    const { response } = await request({ ...valid, ...change });
    expect(errorCodes(response)).toEqual([code]);
    expect(await bed.objectKeys()).toEqual(before);
  });

  it('refuses completing an unknown upload or a forged id, touching nothing', async () => {
    const ticket = await upload('PRODUCT', PRODUCT, 'mine.png', 'image/png', Buffer.from('mine'));
    const before = await bed.objectKeys();
    const unknown = assetIdFromKey(`products/${PRODUCT}/${randomUUID()}/x.png`);
    expect(errorCodes(await complete(unknown))).toEqual(['NOT_FOUND']);
    for (const forged of ['../../etc/passwd', assetIdFromKey('secrets/config.json'), '']) {
      expect(errorCodes(await complete(forged))).toEqual(['BAD_USER_INPUT']);
      const deleted = await bed.gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
        id: forged,
      });
      expect(errorCodes(deleted)).toEqual(['BAD_USER_INPUT']);
      expect(errorCodes(await bed.gql(`query ($id: ID!) { asset(id: $id) { key } }`, { id: forged }))).toEqual([
        'BAD_USER_INPUT',
      ]);
    }
    // A pending upload is no asset: it cannot be read or deleted before completion.
    expect(
      (await bed.gql(`query ($id: ID!) { asset(id: $id) { key } }`, { id: ticket.assetId })).data!.asset,
    ).toBeNull();
    expect(await bed.objectKeys()).toEqual(before);
  });

  it.each([0, -5, 604_801])('refuses a URL expiry of %s seconds', async (expiresIn) => {
    const key = await putProductImage(bed.subgraph, PRODUCT, {
      filename: 'e.png',
      contentType: 'image/png',
      body: sampleFile('image/png', 'e'),
    });
    const response = await bed.gql(`query ($id: ID!, $e: Int) { asset(id: $id) { url(expiresIn: $e) } }`, {
      id: assetIdFromKey(key),
      e: expiresIn,
    });
    expect(errorCodes(response)).toEqual(['BAD_USER_INPUT']);
  });
});
