import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FORMAT } from '../src/backup/manifest.js';
import { pruneSets, pruneWalArchive, setName } from '../src/backup/retention.js';

let parent: string;

beforeEach(async () => {
  parent = await mkdtemp(join(tmpdir(), 'polystore-retention-'));
});

afterEach(async () => {
  await rm(parent, { recursive: true, force: true });
});

/** A set folder started `daysAgo` days ago; complete when it has its manifest. */
async function set(daysAgo: number, complete = true): Promise<string> {
  const name = setName(new Date(Date.UTC(2026, 11, 6) - daysAgo * 86_400_000));
  await mkdir(join(parent, name, 'postgres'), { recursive: true });
  await writeFile(join(parent, name, 'postgres', 'users.copy'), 'rows');
  if (complete) await writeFile(join(parent, name, 'manifest.json'), '{}');
  return name;
}

describe('--keep N', () => {
  it('removes the complete sets older than the newest N, and nothing else', async () => {
    const oldest = await set(5);
    const older = await set(4);
    const failed = await set(3, false);
    const kept = [await set(2), await set(1)];
    await mkdir(join(parent, 'not-a-set'));

    const { removed, incomplete } = await pruneSets(parent, 2);

    expect(removed).toEqual([oldest, older]);
    expect(incomplete).toEqual([failed]);
    expect((await readdir(parent)).sort()).toEqual([failed, ...kept, 'not-a-set'].sort());
  });

  it('keeps everything while there are no more than N complete sets', async () => {
    const names = [await set(2), await set(1, false), await set(0)];
    expect(await pruneSets(parent, 2)).toEqual({
      kept: [join(parent, names[0]!), join(parent, names[2]!)],
      removed: [],
      incomplete: [names[1]],
    });
    expect((await readdir(parent)).sort()).toEqual([...names].sort());
  });
});

describe('the WAL archive after --keep N', () => {
  /** A kept set whose base backup of `cluster` starts at `startWalFile`, or one without a base backup. */
  async function keptSet(daysAgo: number, cluster?: string, startWalFile?: string): Promise<string> {
    const dir = join(parent, setName(new Date(Date.UTC(2026, 11, 6) - daysAgo * 86_400_000)));
    await mkdir(dir);
    const base = cluster ? { systemIdentifier: cluster, startWalFile } : { skipped: 'no archive' };
    // The parts a manifest must name to be read (`readManifest`); only the base backup matters here.
    const stores = { postgres: { base }, mongodb: {}, s3: {}, redis: {} };
    await writeFile(join(dir, 'manifest.json'), JSON.stringify({ format: FORMAT, formatVersion: 1, stores }));
    return dir;
  }

  /** An archive's root with these files in each cluster's folder. */
  async function archive(clusters: Record<string, string[]>): Promise<string> {
    const root = join(parent, 'wal');
    for (const [cluster, files] of Object.entries(clusters)) {
      await mkdir(join(root, cluster), { recursive: true });
      for (const name of files) await writeFile(join(root, cluster, name), '');
    }
    return root;
  }

  it("removes a cluster's segments older than its oldest kept base backup's first one, whatever their timeline", async () => {
    const root = await archive({
      '7001': [
        '000000010000000000000003',
        '000000010000000000000004.00000028.backup',
        '000000020000000000000004.partial',
        '000000020000000000000005',
        '000000020000000000000006',
        '00000002.history',
        'notes.txt',
      ],
      // Another cluster (an earlier initdb) whose names collide: no kept set is of it, so it is left alone.
      '7002': ['000000010000000000000001', '000000010000000000000003'],
    });
    const kept = [
      await keptSet(2, '7001', '000000020000000000000005'),
      await keptSet(1),
      await keptSet(0, '7001', '000000020000000000000006'),
    ];

    expect(await pruneWalArchive(root, kept)).toBe(3);
    expect((await readdir(join(root, '7001'))).sort()).toEqual(
      ['000000020000000000000005', '000000020000000000000006', '00000002.history', 'notes.txt'].sort(),
    );
    expect((await readdir(join(root, '7002'))).sort()).toEqual([
      '000000010000000000000001',
      '000000010000000000000003',
    ]);
  });

  it('removes nothing when no kept set has a base backup', async () => {
    const root = await archive({ '7001': ['000000010000000000000001'] });
    expect(await pruneWalArchive(root, [await keptSet(0)])).toBe(0);
    expect(await readdir(join(root, '7001'))).toEqual(['000000010000000000000001']);
  });
});
