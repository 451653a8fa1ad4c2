import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, readdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { SetKey } from './encryption.js';
import { inside } from '../inside.js';

/** One file of a backup set, as the manifest lists it (path relative to the set's folder, POSIX separators). */
export interface SetFile {
  path: string;
  /** Size and SHA-256 of the bytes on disk (the ciphertext in an encrypted set): what a restore checks first. */
  bytes: number;
  sha256: string;
  /** In an encrypted set, size and SHA-256 of the plaintext. */
  content?: { bytes: number; sha256: string };
}

/** Files and folders of a set: readable by the operator's user only (they hold every user's data). */
export const FILE_MODE = 0o600;
export const DIR_MODE = 0o700;

/** What a store's copy writes into the set: a stream of bytes per file. */
export type FileSource = Readable | AsyncIterable<Buffer | string> | Iterable<Buffer | string>;

/** Hashes and counts what streams through it. */
function measured() {
  const hash = createHash('sha256');
  let bytes = 0;
  const stream = new Transform({
    transform(chunk: Buffer | string, _encoding, done) {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      hash.update(buffer);
      bytes += buffer.length;
      done(null, buffer);
    },
  });
  return { stream, result: () => ({ bytes, sha256: hash.digest('hex') }) };
}

/**
 * A backup set being written: one folder, created empty and 0700, whose
 * files are written once each (0600, never overwritten), hashed and counted
 * as they stream, so the manifest's checksums are of exactly the bytes on
 * disk; with a key, every file is encrypted on its way (`encryption.ts`).
 */
export class BackupSet {
  private readonly written: SetFile[] = [];

  private constructor(
    readonly dir: string,
    private readonly key: SetKey | undefined,
  ) {}

  /** Creates the set's folder (and its parents), or takes an existing empty one; refuses a folder with anything in it. */
  static async create(dir: string, key?: SetKey): Promise<BackupSet> {
    const absolute = resolve(dir);
    await mkdir(absolute, { recursive: true, mode: DIR_MODE });
    const present = await readdir(absolute);
    if (present.length > 0) throw new Error(`${absolute} is not empty: a backup set is written into a new folder`);
    await chmod(absolute, DIR_MODE);
    return new BackupSet(absolute, key);
  }

  /** Streams `source` into `path` (relative to the set), hashing it on the way (and encrypting it, with a key). */
  async write(path: string, source: FileSource): Promise<SetFile> {
    const target = this.resolveInside(path);
    const relativePath = toPosix(relative(this.dir, target));
    await mkdir(dirname(target), { recursive: true, mode: DIR_MODE });
    const content = measured();
    const file = createWriteStream(target, { mode: FILE_MODE, flags: 'wx' });
    if (!this.key) {
      await pipeline(source, content.stream, file);
      return this.record({ path: relativePath, ...content.result() });
    }
    const stored = measured();
    await pipeline(source, content.stream, this.key.encrypt(relativePath), stored.stream, file);
    return this.record({ path: relativePath, ...stored.result(), content: content.result() });
  }

  private record(file: SetFile): SetFile {
    this.written.push(file);
    return file;
  }

  /** Writes a small JSON document (pretty-printed, so an operator can read it). */
  writeJson(path: string, value: unknown): Promise<SetFile> {
    return this.write(path, [`${JSON.stringify(value, null, 2)}\n`]);
  }

  /** The files written so far under a folder of the set (`postgres/`), in the order written. */
  filesUnder(folder: string): SetFile[] {
    return this.written.filter((file) => file.path.startsWith(`${folder}/`));
  }

  /** The manifest: written last, outside the file list it describes. Its presence marks the set complete. */
  async writeManifest(manifest: unknown): Promise<void> {
    await writeFile(join(this.dir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, {
      mode: FILE_MODE,
      flag: 'wx',
    });
  }

  private resolveInside(path: string): string {
    const target = inside(this.dir, path);
    if (!target) throw new Error(`${path} is outside the backup set`);
    return target;
  }
}

/** The manifest's name in a set's folder. */
export const MANIFEST = 'manifest.json';

const toPosix = (path: string) => path.split(sep).join('/');
