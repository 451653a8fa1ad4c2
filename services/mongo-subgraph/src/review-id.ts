import { createHash } from 'node:crypto';
import { ObjectId } from 'mongodb';
import { isUuid } from '@polystore/common';

/**
 * A review's identity is its (product, user) pair: the public id is a UUID
 * (version 8, name-based) hashed from the pair, and the MongoDB `_id` is its
 * first 12 bytes. Two writers adding the same pair collide on `_id`, the one
 * unique index every server enforces (the embedded one ignores `unique` on
 * other fields, and it does not accept string `_id`s, hence an ObjectId).
 */
export function reviewIdOf(productId: string, userId: string): string {
  const bytes = createHash('sha256').update(`review:${productId.toLowerCase()}:${userId.toLowerCase()}`).digest();
  bytes[6] = (bytes[6]! & 0x0f) | 0x80;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The `_id` of the review with this public id (the caller checks `id` on the document it finds). */
export function reviewObjectId(id: string): ObjectId {
  if (!isUuid(id)) throw new Error('not a UUID');
  return new ObjectId(id.replaceAll('-', '').slice(0, 24).toLowerCase());
}
