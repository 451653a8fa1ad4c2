import { randomUUID } from 'node:crypto';
import { createLogger } from '@polystore/common';
import { errorCodes, sampleFile } from '@polystore/testing';
import { pendingKey, pendingMarkerKey, pendingObjectKey, productPrefix, uploadIdOfMarker } from '../src/store/keys.js';
import { deleteObject, deletePrefix, readPendingUpload, writePendingUpload } from '../src/store/objects.js';
import { sweepExpiredUploads } from '../src/events/sweeper.js';
import { startStorageTestBed, type StorageTestBed } from './support/test-bed.js';
import { UPLOAD_TEST_ENV, uploadsThrough } from './support/uploads.js';

/** The sweep of uploads never completed, called with a clock moved past their expiry. */
const PRODUCT = randomUUID();

let bed: StorageTestBed;
beforeAll(async () => {
  bed = await startStorageTestBed([PRODUCT], UPLOAD_TEST_ENV);
});
afterAll(async () => {
  await bed?.dispose();
});

const { request, upload, complete } = uploadsThrough(() => bed);

describe('sweeping expired uploads', () => {
  it('removes an upload never completed once it has expired, and nothing else', async () => {
    const kept = await upload('PRODUCT', PRODUCT, 'kept.png', 'image/png', sampleFile('image/png', 'kept'));
    await complete(kept.assetId);
    const abandoned = await upload('PRODUCT', PRODUCT, 'abandoned.png', 'image/png', Buffer.from('abandoned'));
    const log = createLogger('test', 'silent');
    // Before the expiry nothing goes; after it (and the grace period) the object and its record do.
    await sweepExpiredUploads(bed.subgraph.s3, log);
    expect(await bed.objectKeys(pendingObjectKey(abandoned.key))).toEqual([pendingObjectKey(abandoned.key)]);
    const later = new Date(Date.now() + 24 * 3600 * 1000);
    expect(await sweepExpiredUploads(bed.subgraph.s3, log, later)).toBeGreaterThanOrEqual(1);
    expect(await bed.objectKeys(abandoned.key)).toEqual([]);
    expect(await bed.objectKeys('pending/')).toEqual([]);
    expect(await bed.objectKeys(kept.key)).toEqual([kept.key]);
    expect(errorCodes(await complete(abandoned.assetId))).toEqual(['NOT_FOUND']);
  });
  it('sweeps a record its completion left behind (a crash after the marker went) without touching the asset', async () => {
    const ticket = await upload('PRODUCT', PRODUCT, 'survivor.png', 'image/png', sampleFile('image/png', 'survivor'));
    const record = await readPendingUpload(bed.subgraph.s3, pendingKey(ticket.key));
    expect((await complete(ticket.assetId)).errors).toBeUndefined();
    // As if the service had died between deleting the marker and deleting the record.
    await writePendingUpload(bed.subgraph.s3, record!);
    await deleteObject(bed.subgraph.s3, pendingMarkerKey(ticket.key));
    const later = new Date(Date.now() + 24 * 3600 * 1000);
    expect(await sweepExpiredUploads(bed.subgraph.s3, createLogger('test', 'silent'), later)).toBe(0);
    expect(await bed.objectKeys('pending/')).toEqual([]);
    expect(await bed.objectKeys(ticket.key)).toEqual([ticket.key]);
  });

  it('keeps the markers of pending uploads when an owner’s objects go, so the sweep removes a late PUT', async () => {
    const owner = randomUUID();
    bed.owners.existing.add(owner);
    const { ticket } = await request({
      ownerType: 'PRODUCT',
      ownerId: owner,
      filename: 'late.png',
      contentType: 'image/png',
      size: 4,
    });
    // What the event consumer does on ProductDeleted, then a PUT with the URL handed out before.
    await deletePrefix(bed.subgraph.s3, productPrefix(owner), (key) => uploadIdOfMarker(key) !== null);
    expect(await bed.objectKeys(productPrefix(owner))).toEqual([pendingMarkerKey(ticket.key)]);
    await fetch(ticket.url, { method: 'PUT', headers: { 'content-type': 'image/png' }, body: Buffer.from('late') });
    const later = new Date(Date.now() + 24 * 3600 * 1000);
    expect(await sweepExpiredUploads(bed.subgraph.s3, createLogger('test', 'silent'), later)).toBe(1);
    expect(await bed.objectKeys(productPrefix(owner))).toEqual([]);
    expect(await bed.objectKeys(`pending/products/${owner}/`)).toEqual([]);
  });
});
