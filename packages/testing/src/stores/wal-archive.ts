import pg from 'pg';
import { eventually } from '../eventually.js';

/**
 * Switches the server of `superuserUrl` to a new WAL segment, then waits until
 * its archiver has `archived` the segment it left (a point-in-time restore
 * reaches a moment only once a later commit is archived), or is `failed`: its
 * latest attempt failed.
 */
async function switchWal(superuserUrl: string, until: 'archived' | 'failed', timeoutMs: number): Promise<void> {
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ segment: string }>('SELECT pg_walfile_name(pg_switch_wal()) AS segment');
    const { segment } = rows[0]!;
    await eventually(
      async () => {
        const { rows: archiver } = await admin.query<Record<typeof until, boolean>>(
          `SELECT coalesce(last_archived_wal >= $1, false) AS archived,
                  coalesce(last_failed_time > coalesce(last_archived_time, '-infinity'), false) AS failed
           FROM pg_stat_archiver`,
          [segment],
        );
        return archiver[0]![until];
      },
      `WAL segment ${segment} ${until}`,
      timeoutMs,
    );
  } finally {
    await admin.end();
  }
}

/** Until the WAL written so far is in the archive. */
export const walArchived = (superuserUrl: string, timeoutMs = 60_000) => switchWal(superuserUrl, 'archived', timeoutMs);

/** Until the archiver has failed on the WAL written so far (its folder made unwritable, say). */
export const walArchivingFailed = (superuserUrl: string, timeoutMs = 30_000) =>
  switchWal(superuserUrl, 'failed', timeoutMs);
