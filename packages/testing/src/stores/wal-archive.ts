import pg from 'pg';
import { eventually } from '../eventually.js';

/**
 * Until the WAL written so far on the server of `superuserUrl` is in its
 * archive: the current segment switched, and the archiver past it. A
 * point-in-time restore reaches a moment only once a later commit is archived.
 */
export async function walArchived(superuserUrl: string, timeoutMs = 60_000): Promise<void> {
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
    await eventually(
      async () => {
        const { rows: archiver } = await admin.query<{ last: string | null }>(
          'SELECT last_archived_wal AS last FROM pg_stat_archiver',
        );
        return (archiver[0]!.last ?? '') >= rows[0]!.segment;
      },
      `WAL segment ${rows[0]!.segment} archived`,
      timeoutMs,
    );
  } finally {
    await admin.end();
  }
}

/** Until the archiver of the server of `superuserUrl` has failed on its newest segment (after a switch). */
export async function walArchivingFailed(superuserUrl: string, timeoutMs = 30_000): Promise<void> {
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_switch_wal()');
    await eventually(
      async () =>
        (
          await admin.query<{ failing: boolean }>(
            `SELECT last_failed_time > coalesce(last_archived_time, '-infinity') AS failing FROM pg_stat_archiver`,
          )
        ).rows[0]!.failing,
      'WAL archiving failing',
      timeoutMs,
    );
  } finally {
    await admin.end();
  }
}
