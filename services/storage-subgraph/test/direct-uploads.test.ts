import { createHash } from 'node:crypto';
import { errorCodes, sampleFile } from '@polystore/testing';
import { IMAGES, uploadTestFile } from './support/uploads.js';

/** Uploads straight from the client to S3: presigned PUTs and multipart plans, completion, avatars, deletion. */
const { product: PRODUCT, user: USER, order: ORDER, bed, request, upload, complete } = uploadTestFile();

describe('direct uploads', () => {
  it('presigns a PUT bound to key, type and length; completion makes the asset visible and its URL returns the bytes', async () => {
    const bytes = sampleFile('image/png', 'a product image, honestly');
    const ticket = await upload('PRODUCT', PRODUCT, 'Vorderseite – grün.png', 'image/png', bytes);
    expect(ticket.key).toMatch(new RegExp(`^products/${PRODUCT}/[0-9a-f-]{36}/Vorderseite – grün\\.png$`));
    const signed = new URL(ticket.url).searchParams;
    expect(signed.get('X-Amz-SignedHeaders')?.split(';')).toEqual(
      expect.arrayContaining(['content-type', 'content-length', 'host']),
    );
    expect(signed.get('X-Amz-Expires')).toBe('900');

    // Not visible before completion.
    const before = await bed.gql(IMAGES, { representations: [{ __typename: 'Product', id: PRODUCT }] });
    expect(before.data!._entities[0].images).toEqual([]);

    const completed = await complete(ticket.assetId);
    expect(completed.errors).toBeUndefined();
    expect(completed.data!.completeUpload).toMatchObject({
      id: ticket.assetId,
      filename: 'Vorderseite – grün.png',
      contentType: 'image/png',
      size: bytes.length,
      checksum: createHash('md5').update(bytes).digest('hex'),
      ownerType: 'PRODUCT',
      owner: { __typename: 'Product', id: PRODUCT },
    });
    const after = await bed.gql(IMAGES, { representations: [{ __typename: 'Product', id: PRODUCT }] });
    expect(after.data!._entities[0].images).toEqual([
      { id: ticket.assetId, filename: 'Vorderseite – grün.png', size: bytes.length },
    ]);

    const asset = await bed.gql(`query ($id: ID!) { asset(id: $id) { url(expiresIn: 30) } }`, { id: ticket.assetId });
    const downloadUrl = new URL(asset.data!.asset.url);
    expect(downloadUrl.searchParams.get('X-Amz-Expires')).toBe('30');
    expect(downloadUrl.searchParams.get('response-content-disposition')).toBe(
      `inline; filename="Vorderseite _ gr_n.png"; filename*=UTF-8''Vorderseite%20%E2%80%93%20gr%C3%BCn.png`,
    );
    const download = await fetch(downloadUrl);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe(
      downloadUrl.searchParams.get('response-content-disposition'),
    );
    expect(Buffer.from(await download.arrayBuffer())).toEqual(bytes);

    // Completing again answers the same asset.
    expect((await complete(ticket.assetId)).data!.completeUpload.id).toBe(ticket.assetId);
  });

  it('rejects at completion an object whose size or type differs from the declaration, and deletes it', async () => {
    const declared = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'invoice.pdf',
      contentType: 'application/pdf',
      size: 10,
    });
    // The URL signs the length and the type, so S3 refuses other ones; completion then finds nothing.
    const wrongSize = await fetch(declared.ticket.url, {
      method: 'PUT',
      headers: { 'content-type': 'application/pdf' },
      body: Buffer.from('%PDF-twelve'),
    });
    expect(wrongSize.status).toBe(403);
    expect(errorCodes(await complete(declared.ticket.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await bed.objectKeys(declared.ticket.key)).toEqual([]);

    const { ticket: wrongType } = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'scan.pdf',
      contentType: 'application/pdf',
      size: 8,
    });
    const put = await fetch(wrongType.url, {
      method: 'PUT',
      headers: { 'content-type': 'text/html' },
      body: Buffer.from('%PDF-1.7'),
    });
    expect(put.status).toBe(403);
    expect(errorCodes(await complete(wrongType.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await bed.objectKeys(wrongType.key)).toEqual([]);
    expect(await bed.objectKeys(`pending/orders/${ORDER}/`)).toEqual([]);
    // A rejected upload is over: completing it again finds nothing.
    expect(errorCodes(await complete(wrongType.assetId))).toEqual(['NOT_FOUND']);
  });

  it('keeps one avatar per user: a completed avatar replaces the previous one', async () => {
    const first = await upload('USER', USER, 'me.png', 'image/png', sampleFile('image/png', 'first'));
    await complete(first.assetId);
    const second = await upload('USER', USER, 'me-now.jpg', 'image/jpeg', sampleFile('image/jpeg', 'second'));
    await complete(second.assetId);
    const avatar = await bed.gql(
      `query ($r: [_Any!]!) { _entities(representations: $r) { ... on User { avatar { id filename } } } }`,
      { r: [{ __typename: 'User', id: USER }] },
    );
    expect(avatar.data!._entities[0].avatar).toEqual({ id: second.assetId, filename: 'me-now.jpg' });
    expect(await bed.objectKeys(first.key)).toEqual([]);
  });

  it('deletes an asset: the object goes and the lists drop it', async () => {
    const ticket = await upload('ORDER', ORDER, 'receipt.png', 'image/png', sampleFile('image/png', 'receipt'));
    await complete(ticket.assetId);
    const attachments = () =>
      bed.gql(`query ($r: [_Any!]!) { _entities(representations: $r) { ... on Order { attachments { id } } } }`, {
        r: [{ __typename: 'Order', id: ORDER }],
      });
    expect((await attachments()).data!._entities[0].attachments).toContainEqual({ id: ticket.assetId });
    const deleted = await bed.gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
      id: ticket.assetId,
    });
    expect(deleted.data!.deleteAsset).toEqual({ assetId: ticket.assetId });
    expect(await bed.objectKeys(ticket.key)).toEqual([]);
    expect((await attachments()).data!._entities[0].attachments).not.toContainEqual({ id: ticket.assetId });
    const again = await bed.gql(`mutation ($id: ID!) { deleteAsset(input: { assetId: $id }) { assetId } }`, {
      id: ticket.assetId,
    });
    expect(errorCodes(again)).toEqual(['NOT_FOUND']);
  });

  it('plans a multipart upload above the threshold and completes more than 16 MB from presigned parts', async () => {
    const body = sampleFile('application/pdf', 'a manual', 17 * 1024 * 1024 + 123);
    const { response, ticket } = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'manual.pdf',
      contentType: 'application/pdf',
      size: body.length,
    });
    expect(response.errors).toBeUndefined();
    expect(ticket.url).toBeNull();
    const parts = ticket.multipart.parts as { partNumber: number; url: string; size: number }[];
    expect(parts.map((part) => part.size)).toEqual([8 * 1024 * 1024, 8 * 1024 * 1024, 1024 * 1024 + 123]);
    let offset = 0;
    const etags: { partNumber: number; etag: string }[] = [];
    for (const part of parts) {
      expect(new URL(part.url).searchParams.get('X-Amz-SignedHeaders')).toContain('content-length');
      const put = await fetch(part.url, { method: 'PUT', body: body.subarray(offset, offset + part.size) });
      expect(put.status).toBe(200);
      etags.push({ partNumber: part.partNumber, etag: put.headers.get('etag')! });
      offset += part.size;
    }
    const completed = await complete(ticket.assetId, etags);
    expect(completed.errors).toBeUndefined();
    expect(completed.data!.completeUpload).toMatchObject({ size: body.length, contentType: 'application/pdf' });
    const download = await fetch(completed.data!.completeUpload.url);
    expect(Buffer.from(await download.arrayBuffer()).equals(body)).toBe(true);
  });

  it('keeps a multipart upload open when its parts are missing, and removes it when they do not fit', async () => {
    const { ticket } = await request({
      ownerType: 'ORDER',
      ownerId: ORDER,
      filename: 'big.pdf',
      contentType: 'application/pdf',
      size: 20 * 1024 * 1024,
    });
    expect(ticket.multipart.parts).toHaveLength(3);
    expect(errorCodes(await complete(ticket.assetId))).toEqual(['BAD_USER_INPUT']);
    expect(await bed.objectKeys(`pending/orders/${ORDER}/`)).toHaveLength(1);
    // A part of another size than planned is refused (each URL signs its length).
    const plan = ticket.multipart.parts as { partNumber: number; url: string; size: number }[];
    expect((await fetch(plan[0]!.url, { method: 'PUT', body: Buffer.from('x') })).status).toBe(403);
    // Every part sent, but one left out of the completion: the object is smaller than declared.
    const body = sampleFile('application/pdf', 'big', 20 * 1024 * 1024);
    const parts: { partNumber: number; etag: string }[] = [];
    for (const part of plan) {
      const offset = (part.partNumber - 1) * ticket.multipart.partSize;
      const put = await fetch(part.url, { method: 'PUT', body: body.subarray(offset, offset + part.size) });
      expect(put.status).toBe(200);
      if (part.partNumber !== 2) parts.push({ partNumber: part.partNumber, etag: put.headers.get('etag')! });
    }
    expect(errorCodes(await complete(ticket.assetId, parts))).toEqual(['BAD_USER_INPUT']);
    expect(await bed.objectKeys(`pending/orders/${ORDER}/`)).toEqual([]);
    expect(await bed.objectKeys(ticket.key)).toEqual([]);
  });
});
