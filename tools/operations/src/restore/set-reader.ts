import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { SetKey } from '../backup/encryption.js';
import { FORMAT, type Manifest } from '../backup/manifest.js';
import type { Progress } from '../backup/progress.js';
import type { ObjectEntry } from '../backup/s3.js';
import { MANIFEST, type SetFile } from '../backup/set-writer.js';
import { inside } from '../inside.js';

/** A set that cannot be restored as it is: damaged, partial, from another product, or locked with another key. Nothing was written. */
export class UnusableSet extends Error {
  override readonly name = 'UnusableSet';
}

const OBJECTS_INDEX = 's3/index.jsonl';

async function sha256Of(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A set's manifest from its text, checked to be one this version reads (else `UnusableSet`). */
export function readManifest(text: string, dir: string): Manifest {
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw new UnusableSet(`${dir}/${MANIFEST} is not JSON: the set is damaged`);
  }
  if (manifest.format !== FORMAT || manifest.formatVersion !== 1)
    throw new UnusableSet(`${dir}/${MANIFEST} is not a polystore backup manifest of version 1`);
  for (const store of ['postgres', 'mongodb', 's3', 'redis'] as const) {
    if (!manifest.stores?.[store]) throw new UnusableSet(`the set has no ${store} part: it is partial`);
  }
  return manifest;
}

/**
 * A backup set opened for a restore: its manifest read, and (`verify`) every
 * file it names checked for presence, size and SHA-256 before anything is
 * written anywhere. Files are read through `open`, decrypted on the way when
 * the set is encrypted.
 */
export class SetReader {
  private constructor(
    readonly dir: string,
    readonly manifest: Manifest,
    private readonly key: SetKey | undefined,
  ) {}

  /** Reads the manifest and, for an encrypted set, checks the passphrase against it. */
  static async open(dir: string, passphrase: string | undefined): Promise<SetReader> {
    const absolute = resolve(dir);
    const text = await readFile(`${absolute}/${MANIFEST}`, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT')
        throw new UnusableSet(`${absolute} has no ${MANIFEST}: not a backup set, or one that never completed`);
      throw err;
    });
    const manifest = readManifest(text, absolute);
    if (!manifest.encryption) return new SetReader(absolute, manifest, undefined);
    if (!passphrase)
      throw new UnusableSet('the set is encrypted: set BACKUP_ENCRYPTION_KEY to the key it was written with');
    try {
      return new SetReader(absolute, manifest, await SetKey.open(manifest.encryption, passphrase));
    } catch (err) {
      throw new UnusableSet((err as Error).message);
    }
  }

  /** Every file of the set, as the manifest lists them (objects come from the index, checked in `verify`). */
  private listedFiles(): SetFile[] {
    const { postgres, mongodb, s3, redis } = this.manifest.stores;
    const base = postgres.base && 'files' in postgres.base ? postgres.base.files : [];
    return [...postgres.files, ...base, ...mongodb.files, ...s3.files, ...('files' in redis ? redis.files : [])];
  }

  /** Checks every file against the manifest and the objects' index; `UnusableSet` names the first that differs. */
  async verify(progress: Progress): Promise<void> {
    const files = this.listedFiles();
    if (!files.some((file) => file.path === OBJECTS_INDEX))
      throw new UnusableSet(`the manifest lists no ${OBJECTS_INDEX}`);
    const bar = progress.bar('checking the set', files.length + this.manifest.stores.s3.objects);
    for (const file of files) {
      await this.check(file.path, file.bytes, file.sha256);
      bar.increment(file.path);
    }
    let objects = 0;
    for await (const entry of this.objects()) {
      await this.check(entry.file, entry.stored?.bytes ?? entry.size, entry.stored?.sha256 ?? entry.sha256);
      objects++;
      bar.increment(entry.key);
    }
    bar.stop();
    if (objects !== this.manifest.stores.s3.objects)
      throw new UnusableSet(
        `${OBJECTS_INDEX} lists ${objects} objects, the manifest ${this.manifest.stores.s3.objects}`,
      );
  }

  private async check(path: string, bytes: number, sha256: string): Promise<void> {
    const absolute = this.resolve(path);
    const found = await stat(absolute).catch(() => null);
    if (!found?.isFile()) throw new UnusableSet(`${path} is missing from the set`);
    if (found.size !== bytes)
      throw new UnusableSet(`${path} has ${found.size} bytes, the manifest says ${bytes}: truncated or changed`);
    if ((await sha256Of(absolute)) !== sha256)
      throw new UnusableSet(`${path} does not match its checksum: the file was changed`);
  }

  /** A file's content (decrypted in an encrypted set). */
  open(path: string): Readable {
    const stream = createReadStream(this.resolve(path));
    if (!this.key) return stream;
    const plain = this.key.decrypt(path);
    stream.on('error', (err) => plain.destroy(err));
    return stream.pipe(plain);
  }

  /** A whole small file (the objects' index lines, JSON lines of Redis's state), as text. */
  async *lines(path: string): AsyncGenerator<string> {
    for await (const line of createInterface({ input: this.open(path), crlfDelay: Infinity })) {
      if (line.trim() !== '') yield line;
    }
  }

  /** The objects' index, one entry at a time. */
  async *objects(): AsyncGenerator<ObjectEntry> {
    for await (const line of this.lines(OBJECTS_INDEX)) yield JSON.parse(line) as ObjectEntry;
  }

  private resolve(path: string): string {
    const absolute = inside(this.dir, path);
    if (!absolute) throw new UnusableSet(`${path} points outside the set`);
    return absolute;
  }
}
