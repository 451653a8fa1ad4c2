import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CongoServer } from '@push.rocks/smartmongo/dist_ts/congodb/index.js';
import { bson } from '@push.rocks/smartmongo/dist_ts/congodb/congodb.plugins.js';
import type { EmbeddedStore } from './postgres.js';

/** The in-memory storage of the embedded server, as far as persistence needs it. */
interface MemoryStorage {
  databases: Map<string, Map<string, Map<string, Record<string, unknown>>>>;
  indexes: Map<string, Map<string, unknown[]>>;
  opLogCounter: number;
  persistPath?: string;
  persist(): Promise<void>;
  restore(): Promise<void>;
  [method: string]: unknown;
}

/** Storage methods that change data: each schedules a snapshot. */
const WRITES = [
  'insertOne',
  'insertMany',
  'updateById',
  'deleteById',
  'deleteByIds',
  'createCollection',
  'dropCollection',
  'dropDatabase',
  'renameCollection',
  'saveIndex',
  'dropIndex',
];
const SNAPSHOT_DELAY_MS = 200;

/**
 * Keeps the embedded server's in-memory storage on disk as one Extended JSON
 * snapshot (`data.ejson`), written atomically (temporary file, then rename)
 * at most SNAPSHOT_DELAY_MS after a write and at shutdown.
 *
 * Why not the package's own `storage: 'file'`: it stores JSON, so a Date
 * comes back as a string (and `$lt: Date` stops matching), and every insert
 * reads the collection file, checks `_id`, and writes it back across awaits,
 * so concurrent inserts lose writes and skip the duplicate-key check. The
 * memory storage checks and inserts without yielding, as a real server does.
 */
function persistToDisk(storage: MemoryStorage, dataDir: string): void {
  const file = join(dataDir, 'data.ejson');
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();
  storage.persistPath = file;
  storage.persist = async () => {
    clearTimeout(timer);
    timer = undefined;
    const snapshot = {
      databases: Object.fromEntries(
        [...storage.databases].map(([db, collections]) => [
          db,
          Object.fromEntries([...collections].map(([name, documents]) => [name, [...documents.values()]])),
        ]),
      ),
      indexes: Object.fromEntries(
        [...storage.indexes].map(([db, collections]) => [db, Object.fromEntries(collections)]),
      ),
      opLogCounter: storage.opLogCounter,
    };
    const text = bson.EJSON.stringify(snapshot, { relaxed: false });
    writing = writing.then(async () => {
      await writeFile(`${file}.tmp`, text);
      await rename(`${file}.tmp`, file);
    });
    await writing;
  };
  storage.restore = async () => {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch {
      return;
    }
    const snapshot = bson.EJSON.parse(text, { relaxed: false }) as {
      databases: Record<string, Record<string, Record<string, unknown>[]>>;
      indexes: Record<string, Record<string, unknown[]>>;
      opLogCounter: number;
    };
    for (const [db, collections] of Object.entries(snapshot.databases)) {
      storage.databases.set(
        db,
        new Map(
          Object.entries(collections).map(([name, documents]) => [
            name,
            new Map(documents.map((document) => [(document._id as { toHexString(): string }).toHexString(), document])),
          ]),
        ),
      );
    }
    for (const [db, collections] of Object.entries(snapshot.indexes)) {
      storage.indexes.set(db, new Map(Object.entries(collections)));
    }
    storage.opLogCounter = snapshot.opLogCounter;
  };
  for (const method of WRITES) {
    const original = storage[method] as (...args: unknown[]) => Promise<unknown>;
    storage[method] = async (...args: unknown[]) => {
      const result = await original.apply(storage, args);
      timer ??= setTimeout(() => void storage.persist().catch(() => undefined), SNAPSHOT_DELAY_MS);
      return result;
    };
  }
}

/**
 * A MongoDB wire-protocol server written in TypeScript. It covers the
 * portable core the mongo-subgraph uses; it does not enforce unique indexes
 * on fields other than `_id`, roll back transactions or run `$text`.
 * Without `dataDir` it keeps everything in memory; with it, it also keeps a
 * snapshot on disk (see persistToDisk).
 */
export async function startEmbeddedMongo({
  dataDir,
  port,
}: {
  dataDir?: string;
  port: number;
}): Promise<EmbeddedStore> {
  const server = new CongoServer({ port, host: '127.0.0.1' });
  if (dataDir) {
    await mkdir(dataDir, { recursive: true });
    persistToDisk(server.getStorage() as unknown as MemoryStorage, dataDir);
  }
  await server.start();
  return {
    url: `mongodb://127.0.0.1:${port}`,
    stop: () => server.stop(),
  };
}
