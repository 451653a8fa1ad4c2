import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  randomBytes,
  scrypt,
  timingSafeEqual,
  type DecipherGCM,
} from 'node:crypto';
import { Transform } from 'node:stream';

/** How a set's files are encrypted, as its manifest says (never the key). */
export interface EncryptionInfo {
  algorithm: 'aes-256-gcm';
  kdf: { name: 'scrypt'; salt: string; N: number; r: number; p: number };
  /** An HMAC of a fixed text under the derived key: tells a wrong passphrase before any file is read. */
  keyCheck: string;
}

/** The passphrase does not open this set. */
export class WrongKey extends Error {
  override readonly name = 'WrongKey';
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
const KDF = { name: 'scrypt', N: 1 << 15, r: 8, p: 1 } as const;
const KEY_CHECK_TEXT = 'polystore-backup key check';

const derive = (passphrase: string, salt: Buffer, { N, r, p }: EncryptionInfo['kdf']) =>
  new Promise<Buffer>((resolve, reject) =>
    scrypt(passphrase, salt, 32, { N, r, p, maxmem: 256 * N * r }, (err, key) => (err ? reject(err) : resolve(key))),
  );

const keyCheckOf = (key: Buffer) => createHmac('sha256', key).update(KEY_CHECK_TEXT).digest('hex');

/**
 * The key of one set: AES-256-GCM per file, a fresh IV each, the file's path
 * in the set as authenticated data (a file moved to another path does not
 * decrypt). A file is `IV | ciphertext | tag`; streamed both ways.
 */
export class SetKey {
  private constructor(
    private readonly key: Buffer,
    readonly info: EncryptionInfo,
  ) {}

  /** A new key for a set being written, from the operator's passphrase and a fresh salt. */
  static async create(passphrase: string): Promise<SetKey> {
    const salt = randomBytes(16);
    const kdf = { ...KDF, salt: salt.toString('base64') };
    const key = await derive(passphrase, salt, kdf);
    return new SetKey(key, { algorithm: 'aes-256-gcm', kdf, keyCheck: keyCheckOf(key) });
  }

  /** The key of an existing set; `WrongKey` when the passphrase is not the one it was written with. */
  static async open(info: EncryptionInfo, passphrase: string): Promise<SetKey> {
    if (info.algorithm !== 'aes-256-gcm' || info.kdf.name !== 'scrypt')
      throw new Error(`the set is encrypted with ${info.algorithm}/${info.kdf.name}, which this version cannot read`);
    const key = await derive(passphrase, Buffer.from(info.kdf.salt, 'base64'), info.kdf);
    const check = Buffer.from(keyCheckOf(key), 'hex');
    const expected = Buffer.from(info.keyCheck, 'hex');
    if (check.length !== expected.length || !timingSafeEqual(check, expected))
      throw new WrongKey('BACKUP_ENCRYPTION_KEY does not open this set: it was written with another key');
    return new SetKey(key, info);
  }

  encrypt(path: string): Transform {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv).setAAD(Buffer.from(path));
    let started = false;
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        const out = cipher.update(chunk);
        done(null, started ? out : ((started = true), Buffer.concat([iv, out])));
      },
      flush(done) {
        const last = cipher.final();
        done(null, Buffer.concat([started ? Buffer.alloc(0) : iv, last, cipher.getAuthTag()]));
      },
    });
  }

  /** Plaintext of a file written by `encrypt(path)`; fails at the end when a byte was changed. */
  decrypt(path: string): Transform {
    const key = this.key;
    let head = Buffer.alloc(0);
    let decipher: DecipherGCM | undefined;
    // The last TAG_BYTES seen so far may be the tag: held back until more arrives.
    let tail = Buffer.alloc(0);
    return new Transform({
      transform(chunk: Buffer, _encoding, done) {
        if (!decipher) {
          head = Buffer.concat([head, chunk]);
          if (head.length < IV_BYTES) return done();
          decipher = createDecipheriv('aes-256-gcm', key, head.subarray(0, IV_BYTES)).setAAD(Buffer.from(path));
          chunk = head.subarray(IV_BYTES);
        }
        const data = Buffer.concat([tail, chunk]);
        tail = data.subarray(Math.max(0, data.length - TAG_BYTES));
        done(null, decipher.update(data.subarray(0, data.length - tail.length)));
      },
      flush(done) {
        if (!decipher || tail.length < TAG_BYTES) return done(new Error(`${path} is truncated`));
        decipher.setAuthTag(tail);
        try {
          done(null, decipher.final());
        } catch {
          done(new Error(`${path} does not decrypt: it was changed, or belongs to another set`));
        }
      },
    });
  }
}
