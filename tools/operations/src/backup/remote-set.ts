import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { listPages, type S3Store } from '@polystore/storage-subgraph/operations';
import { DIR_MODE, FILE_MODE, MANIFEST } from './set-writer.js';
import { inside } from '../inside.js';

/** Where a backup set lives in S3: `s3://<bucket>/<prefix>`, reached with the product's S3 connection. */
export interface S3SetLocation {
  bucket: string;
  /** The set's prefix, without a trailing slash; its files are `<prefix>/<path in the set>`. */
  prefix: string;
}

/** `s3://bucket/some/prefix` as a location; undefined for anything else (a folder). */
export function parseS3Location(text: string): S3SetLocation | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/(.+?)\/*$/.exec(text);
  if (!match) return undefined;
  const prefix = match[2]!;
  if (prefix.split('/').some((part) => part === '' || part === '.' || part === '..'))
    throw new Error(`${text}: the prefix must be plain names separated by /`);
  return { bucket: match[1]!, prefix };
}

export const formatS3Location = ({ bucket, prefix }: S3SetLocation) => `s3://${bucket}/${prefix}`;

/**
 * Throws when the sets would live in the bucket they back up: the next set
 * would copy them, and a restore with --replace would empty them.
 */
export function requireOtherBucket(location: S3SetLocation, productBucket: string): void {
  if (location.bucket === productBucket)
    throw new Error(
      `${formatS3Location(location)} is in the product's own bucket (S3_BUCKET): keep backups in another`,
    );
}

/** Pages of 1,000 keys listed under a set's prefix at most: far more files than a set holds. */
const MAX_PAGES = 10_000;

/** Every key under the location's prefix, in the location's bucket with the product's S3 connection. */
async function keysUnder(store: S3Store, { bucket, prefix }: S3SetLocation): Promise<string[]> {
  const keys: string[] = [];
  for await (const page of listPages({ ...store, bucket }, `${prefix}/`, MAX_PAGES))
    keys.push(...page.map(({ Key }) => Key!));
  return keys;
}

/** Throws unless nothing is under the location's prefix (a set is written once, to a new prefix). */
export async function requireEmptyPrefix(store: S3Store, location: S3SetLocation): Promise<void> {
  if ((await keysUnder(store, location)).length > 0)
    throw new Error(`${formatS3Location(location)} is not empty: a backup set is written to a new prefix`);
}

/** The files of a set's folder, relative, POSIX separators, the manifest last (its presence marks the set complete). */
async function filesOf(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .filter((path) => path !== MANIFEST)
    .sort();
  return [...files, MANIFEST];
}

/**
 * Copies a complete set from its folder to a new S3 prefix, each file streamed
 * (never whole in memory), the manifest last, so an interrupted copy has no
 * manifest and a restore refuses it as incomplete. Refuses a prefix that holds
 * anything. The files go as they are: an encrypted set stays encrypted.
 */
export async function uploadSet(store: S3Store, dir: string, location: S3SetLocation): Promise<number> {
  await requireEmptyPrefix(store, location);
  const files = await filesOf(dir);
  for (const path of files) {
    const file = join(dir, path);
    await store.client.send(
      new PutObjectCommand({
        Bucket: location.bucket,
        Key: `${location.prefix}/${path}`,
        Body: createReadStream(file),
        ContentLength: (await stat(file)).size,
        ContentType: path.endsWith('.json') ? 'application/json' : 'application/octet-stream',
      }),
    );
  }
  return files.length;
}

/**
 * Copies a set from S3 into an empty folder (0700, files 0600), streamed, so
 * that a restore reads and checks it as any set. A prefix without a manifest
 * is an incomplete set: refused (`incomplete`) before anything is copied.
 */
export async function downloadSet(
  store: S3Store,
  location: S3SetLocation,
  dir: string,
  incomplete: (message: string) => Error,
): Promise<void> {
  const keys = await keysUnder(store, location);
  if (!keys.includes(`${location.prefix}/${MANIFEST}`))
    throw incomplete(`${formatS3Location(location)} holds no ${MANIFEST}: the set is incomplete or absent`);
  const root = resolve(dir);
  for (const key of keys) {
    const target = inside(root, key.slice(location.prefix.length + 1));
    if (!target) throw incomplete(`${key} is outside the set`);
    await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
    const object = await store.client.send(new GetObjectCommand({ Bucket: location.bucket, Key: key }));
    await pipeline(object.Body as Readable, createWriteStream(target, { mode: FILE_MODE, flags: 'wx' }));
  }
}
