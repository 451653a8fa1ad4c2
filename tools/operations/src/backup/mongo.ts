import { BSON, type Collection, type Document } from 'mongodb';
import type { MongoStore } from '@polystore/mongo-subgraph/operations';
import type { Progress } from './progress.js';
import type { BackupSet, SetFile } from './set-writer.js';

export interface MongoCopy {
  database: string;
  collections: { name: string; type: string; documents: number }[];
  files: SetFile[];
}

/** Raw documents are written in chunks of about this size (one write per chunk, not per document). */
const CHUNK_BYTES = 1 << 20;

/**
 * A collection's documents as mongodump writes them (`<name>.bson`): each
 * document's BSON back to back, exactly the bytes the server sent (the
 * cursor returns them raw, never decoded), read through a cursor so memory
 * holds one batch whatever the collection's size.
 */
async function* documentsOf(collection: Collection, counted: () => void): AsyncGenerator<Buffer> {
  const cursor = collection.find({}, { raw: true, batchSize: 1000 });
  let chunk: Buffer[] = [];
  let size = 0;
  try {
    for await (const raw of cursor as unknown as AsyncIterable<Uint8Array>) {
      const document = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
      chunk.push(document);
      size += document.length;
      counted();
      if (size >= CHUNK_BYTES) {
        yield Buffer.concat(chunk);
        [chunk, size] = [[], 0];
      }
    }
    if (chunk.length > 0) yield Buffer.concat(chunk);
  } finally {
    await cursor.close();
  }
}

/** `<name>.metadata.json` as mongodump writes it: options (validator included), indexes, type, in canonical Extended JSON. */
function metadataOf(info: Document, indexes: Document[]): string {
  const metadata = {
    indexes,
    ...(info.info?.uuid ? { uuid: info.info.uuid.toString('hex') } : {}),
    collectionName: info.name,
    type: info.type ?? 'collection',
    options: info.options ?? {},
  };
  return BSON.EJSON.stringify(metadata, { relaxed: false });
}

/** Every collection of the mongo-subgraph's database: documents, indexes and options (validators). */
export async function copyMongo(store: MongoStore, set: BackupSet, progress: Progress): Promise<MongoCopy> {
  const infos = (await store.db.listCollections({}, { nameOnly: false }).toArray()) as Document[];
  const collections: MongoCopy['collections'] = [];
  for (const info of infos.filter(({ name }) => !String(name).startsWith('system.'))) {
    const name = String(info.name);
    const type = String(info.type ?? 'collection');
    const collection = store.db.collection(name);
    let documents = 0;
    if (type === 'collection') {
      const total = await collection.estimatedDocumentCount().catch(() => 0);
      const bar = progress.bar(`mongodb ${name}`, total);
      await set.write(
        `mongodb/${name}.bson`,
        documentsOf(collection, () => {
          documents++;
          bar.increment();
        }),
      );
      bar.stop();
    }
    const indexes = type === 'collection' ? await collection.listIndexes().toArray() : [];
    await set.write(`mongodb/${name}.metadata.json`, [metadataOf(info, indexes)]);
    collections.push({ name, type, documents });
  }
  return { database: store.db.databaseName, collections, files: set.filesUnder('mongodb') };
}
