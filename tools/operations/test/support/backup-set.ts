import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BSON, type Document } from 'mongodb';
import type { Manifest, ObjectEntry } from '../../src/index.js';

/** Reading a backup set back, as a test checks it. */

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

export async function readManifest(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/** Every file and folder under `dir`, with its permission bits. */
export async function modesUnder(dir: string): Promise<{ path: string; folder: boolean; mode: number }[]> {
  const found = [{ path: dir, folder: true, mode: (await stat(dir)).mode & 0o777 }];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    found.push({ path, folder: entry.isDirectory(), mode: (await stat(path)).mode & 0o777 });
  }
  return found;
}

/** The documents of a `.bson` file: each one's length prefix, then its bytes, back to back. */
export function bsonDocuments(bytes: Buffer): Document[] {
  const documents: Document[] = [];
  for (let offset = 0; offset < bytes.length;) {
    const size = bytes.readInt32LE(offset);
    documents.push(BSON.deserialize(bytes.subarray(offset, offset + size)));
    offset += size;
  }
  return documents;
}

/** The rows of a COPY text file as objects by column (values unescaped enough for ids and numbers; `\N` is null). */
export function copyRows(text: string, columns: string[]): Record<string, string | null>[] {
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) =>
      Object.fromEntries(line.split('\t').map((value, i) => [columns[i], value === '\\N' ? null : value])),
    );
}

/** A table of the set's PostgreSQL snapshot, as rows. */
export async function tableRows(dir: string, manifest: Manifest, table: string) {
  const copy = manifest.stores.postgres.tables.find(({ name }) => name === table)!;
  return copyRows(await readFile(join(dir, copy.file), 'utf8'), copy.columns);
}

/** The S3 objects index of a set. */
export async function objectsIndex(dir: string): Promise<ObjectEntry[]> {
  const lines = (await readFile(join(dir, 's3/index.jsonl'), 'utf8')).split('\n').filter(Boolean);
  return lines.map((line) => JSON.parse(line) as ObjectEntry);
}
