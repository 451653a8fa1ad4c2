import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pruneSets, setName } from '../src/backup/retention.js';

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
    expect(await pruneSets(parent, 2)).toEqual({ removed: [], incomplete: [names[1]] });
    expect((await readdir(parent)).sort()).toEqual([...names].sort());
  });
});
