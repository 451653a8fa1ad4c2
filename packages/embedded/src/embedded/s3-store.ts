import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FilesystemStore, StoredBytes } from 's3rver';
import S3Error from 's3rver/lib/models/error.js';
import S3Object from 's3rver/lib/models/object.js';

/**
 * Makes s3rver's filesystem store safe to serve untrusted requests with, and
 * as strict as S3 about multipart uploads. s3rver pipes request bodies and
 * part files with `.pipe()` and no error listener, so a missing part file (a
 * CompleteMultipartUpload naming parts never uploaded, or completed twice at
 * once) or a failed write raised an uncaught 'error' that ended the process;
 * it also took any ETag for any part. Here every body is written with
 * `stream/promises` `pipeline` (errors reject, and a half-written file is
 * removed rather than renamed into place), and completion checks the parts
 * list against the parts on disk first, answering as S3 does:
 * `InvalidPartOrder`, `InvalidPart`, `EntityTooSmall`, `NoSuchUpload`.
 */

/** S3's smallest part, but for the last. */
const MIN_PART_BYTES = 5 * 1024 * 1024;
const MAX_PART_NUMBER = 10_000;
/** The ids s3rver's InitiateMultipartUpload hands out; nothing else names a folder. */
const UPLOAD_ID = /^[0-9a-f]{32}$/;

const noSuchUpload = () =>
  new S3Error(
    'NoSuchUpload',
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
  );
const invalidPart = (partNumber: number) =>
  new S3Error(
    'InvalidPart',
    "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    { PartNumber: String(partNumber) },
  );

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * Writes `content` to `path` through a temporary file: the file is whole or
 * unchanged. With `checksumPath`, the MD5 is stored there just before the
 * bytes move into place, so in the instant between the two a reader sees a
 * checksum that refuses the old bytes, never one that vouches for them.
 */
async function writeWhole(path: string, content: Readable | Buffer, checksumPath?: string): Promise<StoredBytes> {
  const partial = `${path}.${randomBytes(8).toString('hex')}.partial`;
  const md5 = createHash('md5');
  let size = 0;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      md5.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  try {
    await pipeline(Buffer.isBuffer(content) ? Readable.from([content]) : content, count, createWriteStream(partial));
    const stored = { size, md5: md5.digest('hex') };
    if (checksumPath) {
      await writeFile(`${partial}.md5`, stored.md5);
      await rename(`${partial}.md5`, checksumPath);
    }
    await rename(partial, path);
    return stored;
  } catch (err) {
    await Promise.all([rm(partial, { force: true }), rm(`${partial}.md5`, { force: true })]);
    throw err;
  }
}

/** Replaces the store's body-writing methods with ones whose failures reject and leave no torn file. */
export function hardenFilesystemStore(store: FilesystemStore): void {
  const uploadDir = (bucket: string, uploadId: unknown) => {
    if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId)) throw noSuchUpload();
    return join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  };
  /** The upload's folder with its key and metadata, or NoSuchUpload (never begun, completed or aborted). */
  const readUpload = async (bucket: string, uploadId: unknown) => {
    const dir = uploadDir(bucket, uploadId);
    try {
      const [key, metadata] = await Promise.all([
        readFile(join(dir, 'key'), 'utf8'),
        readFile(join(dir, 'metadata'), 'utf8').then((text) => JSON.parse(text) as Record<string, string>),
      ]);
      return { dir, key, metadata };
    } catch (err) {
      if (isMissing(err)) throw noSuchUpload();
      throw err;
    }
  };

  store.putObject = async (object) => {
    const path = store.getResourcePath(object.bucket, object.key, 'object');
    await mkdir(dirname(path), { recursive: true });
    const stored = await writeWhole(path, object.content ?? Buffer.alloc(0));
    await store.putMetadata(object.bucket, object.key, object.metadata, stored.md5);
    return stored;
  };

  store.putPart = async (bucket, uploadId, partNumber, content) => {
    const number = Number(partNumber);
    if (!/^\d+$/.test(String(partNumber)) || number < 1 || number > MAX_PART_NUMBER) {
      throw new S3Error(
        'InvalidArgument',
        `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive`,
        {
          ArgumentName: 'partNumber',
        },
      );
    }
    const { dir } = await readUpload(bucket, uploadId);
    const path = join(dir, String(number));
    try {
      return await writeWhole(path, content, `${path}.md5`);
    } catch (err) {
      // Aborted or completed while the part was on its way.
      if (isMissing(err)) throw noSuchUpload();
      throw err;
    }
  };

  store.putObjectMultipart = async (bucket, uploadId, parts) => {
    const { dir, key, metadata } = await readUpload(bucket, uploadId);
    let previous = 0;
    for (const { number } of parts) {
      if (!Number.isInteger(number) || number < 1 || number > MAX_PART_NUMBER) throw invalidPart(number);
      if (number <= previous) {
        throw new S3Error(
          'InvalidPartOrder',
          'The list of parts was not in ascending order. The parts list must be specified in order by part number.',
        );
      }
      previous = number;
    }
    for (const [index, { number, etag }] of parts.entries()) {
      const path = join(dir, String(number));
      const found = await Promise.all([readFile(`${path}.md5`, 'utf8'), stat(path)]).catch((err: unknown) => {
        if (isMissing(err)) return null;
        throw err;
      });
      if (!found || found[0] !== String(etag).toLowerCase()) throw invalidPart(number);
      if (index < parts.length - 1 && found[1].size < MIN_PART_BYTES) {
        throw new S3Error('EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed object size.', {
          PartNumber: String(number),
          MinSizeAllowed: String(MIN_PART_BYTES),
        });
      }
    }
    // Read one part after another; a part gone meanwhile (a concurrent completion or abort)
    // fails the pipeline, and the object stays as it was.
    async function* concatenated() {
      for (const { number } of parts) yield* createReadStream(join(dir, String(number)));
    }
    let stored: StoredBytes;
    try {
      stored = await store.putObject(new S3Object(bucket, key, Readable.from(concatenated()), metadata));
    } catch (err) {
      if (isMissing(err)) throw noSuchUpload();
      throw err;
    }
    await rm(dir, { recursive: true, force: true });
    return stored;
  };
}

/** AbortMultipartUpload, which s3rver lacks (it answers 405): the upload's parts are removed. */
export async function abortUpload(store: FilesystemStore, bucket: string, uploadId: string): Promise<void> {
  if (!UPLOAD_ID.test(uploadId)) throw noSuchUpload();
  const dir = join(store.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  try {
    await unlink(join(dir, 'key'));
  } catch (err) {
    if (isMissing(err)) throw noSuchUpload();
    throw err;
  }
  await rm(dir, { recursive: true, force: true });
}
