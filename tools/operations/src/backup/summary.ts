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
    baseLine(postgres.base),
    `  mongodb   ${mongodb.collections.length} collections, ${documents} documents`,
    `  s3        ${s3.objects} objects, ${s3.bytes} bytes`,
    'skipped' in redis
      ? `  redis     skipped: ${redis.skipped}`
      : `  redis     ${redis.persistedQueries} persisted queries, ${redis.deadLetters} dead letters`,
    `  events    ${replay.events} to re-apply on restore (outbox ids ${replay.fromOutboxId}..${replay.toOutboxId ?? '-'})`,
  ].join('\n');
}

/** The base backup's line: what point-in-time recovery starts from, or why the set has none. */
function baseLine(base: Manifest['stores']['postgres']['base']): string {
  if (!base) return '  base      none';
  if ('skipped' in base) return `  base      none: ${base.skipped}`;
  const bytes = base.files.reduce((sum, file) => sum + file.bytes, 0);
  return `  base      ${base.files.length} files, ${bytes} bytes: recovers to any moment from ${base.consistentAt} (--to-time)`;
}
