import { randomUUID } from 'node:crypto';
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { startedOncePerFile } from '@polystore/testing';
import { testStores } from '@polystore/testing/stores';
import { startCheckedStack } from './support/checked-stack.js';
import { runCli } from './support/run-cli.js';

/**
 * Backup sets in an S3 bucket of the operator's choice (`--out s3://bucket/prefix`,
 * or BACKUP_DIR so): written through a private staging folder, copied manifest
 * last, and restored from there after the same checks as a set in a folder.
 */
const stack = startedOncePerFile(async () => {
  const started = await startCheckedStack();
  const backups = `backups-${randomUUID().slice(0, 8)}`;
  await started.s3.client.send(new CreateBucketCommand({ Bucket: backups }));
  return { ...started, backups };
}, 180_000);

const keysUnder = async (prefix: string) =>
  (
    (await stack.s3.client.send(new ListObjectsV2Command({ Bucket: stack.backups, Prefix: prefix }))).Contents ?? []
  ).map(({ Key }) => Key!);

describe('backup sets in S3', () => {
  it('writes a set to a new prefix, manifest included, and refuses a prefix that holds one', async () => {
    const out = `s3://${stack.backups}/sets/first`;
    const { code, stdout, stderr } = await runCli('backup-cli', ['--out', out], stack.storeEnv);
    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toMatch(new RegExp(`backup set: ${out}[\\s\\S]*copied \\d+ files to ${out}`));
    const keys = await keysUnder('sets/first/');
    expect(keys).toContain('sets/first/manifest.json');
    expect(keys.some((key) => key.startsWith('sets/first/postgres/'))).toBe(true);

    const again = await runCli('backup-cli', ['--out', out], stack.storeEnv);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`backup: ${out} is not empty`);
    expect(await keysUnder('sets/first/')).toEqual(keys);

    const own = await runCli('backup-cli', ['--out', `s3://${stack.storeEnv.S3_BUCKET}/sets`], stack.storeEnv);
    expect(own.code).toBe(2);
    expect(own.stderr).toContain("is in the product's own bucket");
  });

  it('restores a set from S3 into empty stores, and refuses a damaged or absent one before writing anything', async () => {
    const stores = await testStores();
    try {
      const bucket = `restored-${randomUUID().slice(0, 8)}`;
      await stack.s3.client.send(new CreateBucketCommand({ Bucket: bucket }));
      const target = { ...stores.env, S3_ENDPOINT: stack.storeEnv.S3_ENDPOINT!, S3_BUCKET: bucket };

      const absent = await runCli('restore-cli', [`s3://${stack.backups}/sets/none`], target);
      expect(absent.code).toBe(2);
      expect(absent.stderr).toContain('holds no manifest.json');

      // A copy of the set with one file changed in S3: refused, naming it, nothing restored.
      const damaged = await runCli('backup-cli', ['--out', `s3://${stack.backups}/sets/damaged`], stack.storeEnv);
      expect(damaged.code).toBe(0);
      const victim = (await keysUnder('sets/damaged/postgres/'))[0]!;
      await stack.s3.client.send(new PutObjectCommand({ Bucket: stack.backups, Key: victim, Body: 'not the copy' }));
      const refused = await runCli('restore-cli', [`s3://${stack.backups}/sets/damaged`], target);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(victim.slice('sets/damaged/'.length));

      const restored = await runCli('restore-cli', [`s3://${stack.backups}/sets/first`], target);
      expect({ code: restored.code, stderr: restored.stderr }).toEqual({ code: 0, stderr: '' });
      const owner = new pg.Client({ connectionString: stores.postgres.ownerUrl });
      await owner.connect();
      try {
        const { rows } = await owner.query('SELECT count(*)::integer AS n FROM products');
        expect(rows[0].n).toBe(stack.seeded.productIds.length);
      } finally {
        await owner.end();
      }
    } finally {
      await stores.dispose();
    }
  });
});
