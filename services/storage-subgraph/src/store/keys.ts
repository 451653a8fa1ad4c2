import { randomUUID } from 'node:crypto';

/**
 * The storage key scheme, built here and only here; clients never choose a key.
 *
 *   {ownerType}/{ownerId}/{assetId}/{safe filename}   the served object (an asset once completed)
 *   {ownerType}/{ownerId}/{assetId}.pending           marks the object as not yet completed
 *   pending/{ownerType}/{ownerId}/{assetId}           the record of an upload not yet completed
 *   pending/{ownerType}/{ownerId}/{assetId}.upload    the client's bytes, before they are checked
 *
 * The marker sits beside the object, so one LIST of an owner's prefix tells
 * completed objects from pending ones; the record sits under one prefix of
 * its own, so the sweep finds every pending upload without listing owners.
 * Presigned URLs only ever name a `.upload` key: the served object is a copy
 * the service makes after checking it, so nothing a client sends with a URL
 * (then or later) can change what is served.
 *
 * An asset's public id is the base64url of its object key, so any replica
 * resolves an id with no index, and a forged id decodes to nothing.
 */
export const OWNER_TYPES = ['products', 'users', 'orders'] as const;
export type OwnerType = (typeof OWNER_TYPES)[number];

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
/** A safe filename: no slash, backslash or control character, not `.` or `..`, at most 200 characters. */
const SAFE_NAME = '(?!\\.{1,2}$)[^/\\\\\\u0000-\\u001f\\u007f-\\u009f]{1,200}';
const KEY = new RegExp(`^(${OWNER_TYPES.join('|')})/(${UUID})/(${UUID})/(${SAFE_NAME})$`, 'u');
const MAX_FILENAME_LENGTH = 200;

/** Everything an owner has (objects of completed and pending uploads alike); it goes when the owner is deleted. */
export const ownerPrefix = (ownerType: OwnerType, ownerId: string) => `${ownerType}/${ownerId}/`;
export const productPrefix = (productId: string) => ownerPrefix('products', productId);
export const userPrefix = (userId: string) => ownerPrefix('users', userId);

/** Where the records of uploads not yet completed live: all of them, and one owner's. */
export const PENDING_PREFIX = 'pending/';
export const pendingOwnerPrefix = (ownerType: OwnerType, ownerId: string) =>
  `${PENDING_PREFIX}${ownerPrefix(ownerType, ownerId)}`;

const MARKER_SUFFIX = '.pending';
const MARKER = new RegExp(`^(?:${OWNER_TYPES.join('|')})/${UUID}/(${UUID})\\${MARKER_SUFFIX}$`);

export interface ParsedKey {
  ownerType: OwnerType;
  ownerId: string;
  /** The UUID segment: unique per upload. */
  uploadId: string;
  filename: string;
}

/**
 * Why a client's filename cannot be used, or null when it can. Path
 * separators, `.`/`..` and control characters are refused rather than
 * rewritten, so what the client named is what it gets back.
 */
export function filenameProblem(filename: string): string | null {
  const name = filename.normalize('NFC');
  if (name.trim().length === 0) return 'filename is empty';
  if ([...name].length > MAX_FILENAME_LENGTH) return `filename is longer than ${MAX_FILENAME_LENGTH} characters`;
  if (/[/\\]/.test(name) || name === '.' || name === '..') return 'filename must not contain a path';
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f-\u009f]/u.test(name)) return 'filename must not contain control characters';
  // Bidirectional overrides make a name display unlike what it is (`photo\u202Egnp.exe`).
  if (/[\u202a-\u202e\u2066-\u2069]/u.test(name)) return 'filename must not contain bidirectional overrides';
  return null;
}

/**
 * The filename as it is stored in the key: NFC, Unicode kept, and the
 * characters some S3 tools and file systems mishandle (`<>:"|?*%#` and
 * leading or trailing spaces and dots) replaced by `_`. Assumes `filenameProblem` passed.
 */
export function safeFilename(filename: string): string {
  return filename
    .normalize('NFC')
    .replace(/[<>:"|?*%#]/g, '_')
    .replace(/^[\s.]+|[\s.]+$/g, (edge) => '_'.repeat(edge.length));
}

/** A fresh object key for an upload; throws if the filename was not checked. */
export function newAssetKey(ownerType: OwnerType, ownerId: string, filename: string): string {
  const problem = filenameProblem(filename);
  if (problem) throw new Error(problem);
  return `${ownerPrefix(ownerType, ownerId.toLowerCase())}${randomUUID()}/${safeFilename(filename)}`;
}

/** The parts of a key this service issued, or null for any other string. */
export function parseKey(key: string): ParsedKey | null {
  const match = KEY.exec(key);
  if (!match) return null;
  return { ownerType: match[1] as OwnerType, ownerId: match[2]!, uploadId: match[3]!, filename: match[4]! };
}

/** The record of an upload of this key while it is pending. */
export function pendingKey(key: string): string {
  const parsed = parseKey(key);
  if (!parsed) throw new Error('not an asset key');
  return `${pendingOwnerPrefix(parsed.ownerType, parsed.ownerId)}${parsed.uploadId}`;
}

const UPLOAD_SUFFIX = '.upload';
const PENDING_OBJECT = new RegExp(`^${PENDING_PREFIX}(?:${OWNER_TYPES.join('|')})/${UUID}/${UUID}\\${UPLOAD_SUFFIX}$`);

/** Where the client's bytes for this key land (presigned PUT or parts): pending, never served. */
export const pendingObjectKey = (key: string) => `${pendingKey(key)}${UPLOAD_SUFFIX}`;

/** The record a pending object belongs to, or null when the key is no pending object. */
export const recordOfPendingObject = (key: string): string | null =>
  PENDING_OBJECT.test(key) ? key.slice(0, -UPLOAD_SUFFIX.length) : null;

/** The marker that hides the object of this key from listings while its upload is pending. */
export function pendingMarkerKey(key: string): string {
  const parsed = parseKey(key);
  if (!parsed) throw new Error('not an asset key');
  return `${ownerPrefix(parsed.ownerType, parsed.ownerId)}${parsed.uploadId}${MARKER_SUFFIX}`;
}

/** The upload id a pending marker stands for, or null when the key is no marker. */
export const uploadIdOfMarker = (key: string): string | null => MARKER.exec(key)?.[1] ?? null;

/** The record of the upload a pending marker stands for, or null when the key is no marker. */
export function recordOfMarker(key: string): string | null {
  const uploadId = uploadIdOfMarker(key);
  return uploadId === null
    ? null
    : `${PENDING_PREFIX}${key.slice(0, -`${uploadId}${MARKER_SUFFIX}`.length)}${uploadId}`;
}

export const assetIdFromKey = (key: string) => Buffer.from(key).toString('base64url');

/** The key an asset id stands for, or null when the id is not one this service issued. */
export function keyFromAssetId(id: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,1200}$/.test(id)) return null;
  const key = Buffer.from(id, 'base64url').toString('utf8');
  // Re-encoding guards against ids that decode loosely (padding bits, invalid UTF-8).
  return parseKey(key) && assetIdFromKey(key) === id ? key : null;
}
