import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { randomBytes } from 'node:crypto';
import type { Transform } from 'node:stream';
import { SetKey, WrongKey } from '../src/backup/encryption.js';

/** A set's files encrypted and decrypted in chunks of every size, and every kind of tampering refused. */
const PASSPHRASE = 'a passphrase of more than thirty-two characters';

async function through(transform: Transform, input: Buffer, chunk = 7): Promise<Buffer> {
  const parts: Buffer[] = [];
  const pieces = [];
  for (let i = 0; i < input.length; i += chunk) pieces.push(input.subarray(i, i + chunk));
  await pipeline(Readable.from(pieces), transform, async (source: AsyncIterable<Buffer>) => {
    for await (const part of source) parts.push(part);
  });
  return Buffer.concat(parts);
}

describe('a backup set key', () => {
  it('round-trips a file, whatever the chunk sizes, and the ciphertext is not the plaintext', async () => {
    const key = await SetKey.create(PASSPHRASE);
    for (const size of [0, 1, 15, 16, 17, 100_000]) {
      const plain = randomBytes(size);
      const sealed = await through(key.encrypt('s3/objects/a.png'), plain, 4096);
      expect(sealed.length).toBe(size + 12 + 16);
      if (size > 16) expect(sealed.includes(plain.subarray(0, 16))).toBe(false);
      const opened = await SetKey.open(key.info, PASSPHRASE);
      expect(await through(opened.decrypt('s3/objects/a.png'), sealed, 5)).toEqual(plain);
    }
  });

  it('refuses a wrong passphrase before reading any file', async () => {
    const key = await SetKey.create(PASSPHRASE);
    await expect(SetKey.open(key.info, `${PASSPHRASE}!`)).rejects.toThrow(WrongKey);
  });

  it('refuses a changed byte, a truncated file, and a file moved to another path', async () => {
    const key = await SetKey.create(PASSPHRASE);
    const sealed = await through(key.encrypt('postgres/orders.copy'), Buffer.from('1\tpaid\n2\tshipped\n'));
    const changed = Buffer.from(sealed);
    changed[14]! ^= 1;
    await expect(through(key.decrypt('postgres/orders.copy'), changed)).rejects.toThrow(/does not decrypt/);
    await expect(through(key.decrypt('postgres/orders.copy'), sealed.subarray(0, 20))).rejects.toThrow();
    await expect(through(key.decrypt('postgres/users.copy'), sealed)).rejects.toThrow(/does not decrypt/);
  });
});
