import type { Manifest } from './manifest.js';

/** What `npm run backup` prints when done: the set's path, then one line per store with its counts. */
export function summarize(dir: string, manifest: Manifest): string {
  const { postgres, mongodb, s3, redis } = manifest.stores;
  const rows = postgres.tables.reduce((sum, table) => sum + table.rows, 0);
  const documents = mongodb.collections.reduce((sum, collection) => sum + collection.documents, 0);
  const { replay } = manifest.positions;
  return [
    `backup set: ${dir}`,
    `  postgres  ${postgres.tables.length} tables, ${rows} rows (migration ${manifest.migrationLevel.last ?? 'none'})`,
    `  mongodb   ${mongodb.collections.length} collections, ${documents} documents`,
    `  s3        ${s3.objects} objects, ${s3.bytes} bytes`,
    'skipped' in redis
      ? `  redis     skipped: ${redis.skipped}`
      : `  redis     ${redis.persistedQueries} persisted queries, ${redis.deadLetters} dead letters`,
    `  events    ${replay.events} to re-apply on restore (outbox ids ${replay.fromOutboxId}..${replay.toOutboxId ?? '-'})`,
  ].join('\n');
}
