declare module 's3rver' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  import type { Readable } from 'node:stream';
  import type S3Object from 's3rver/lib/models/object.js';

  interface S3rverOptions {
    address?: string;
    port?: number;
    directory?: string;
    silent?: boolean;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: string[] }[];
  }
  /** What a stored body was: its length and MD5 (hex, the ETag without quotes). */
  export interface StoredBytes {
    size: number;
    md5: string;
  }
  /** The parts of s3rver's `lib/stores/filesystem.js` our wrapper calls or replaces. */
  export interface FilesystemStore {
    getResourcePath(bucket: string, key: string | undefined, resource: string): string;
    putMetadata(bucket: string, key: string, metadata: Record<string, string>, md5: string): Promise<void>;
    putObject(object: S3Object): Promise<StoredBytes>;
    putPart(bucket: string, uploadId: unknown, partNumber: unknown, content: Readable): Promise<StoredBytes>;
    /** `parts` as the controller parsed them: `Number(PartNumber)` and the ETag without quotes. */
    putObjectMultipart(
      bucket: string,
      uploadId: unknown,
      parts: { number: number; etag: string }[],
    ): Promise<StoredBytes>;
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<{ address: string; port: number }>;
    close(): Promise<void>;
    /** Creates the configured buckets, as `run` does before listening. */
    configureBuckets(): Promise<void>;
    /** The Koa request handler, for a server of our own. */
    callback(): (req: IncomingMessage, res: ServerResponse) => void;
    logger: { close(): void };
    store: FilesystemStore;
  }
}

declare module 's3rver/lib/models/account.js' {
  /** s3rver's registry of key pairs; requests signed with another access key are refused. */
  const AWSAccount: { DUMMY_ACCOUNT: { createKeyPair(accessKeyId: string, secretAccessKey: string): void } };
  export default AWSAccount;
}

declare module 's3rver/lib/models/error.js' {
  /** An S3 error; s3rver answers it as S3's error XML with the code's HTTP status. */
  export default class S3Error extends Error {
    constructor(code: string, message?: string, detail?: Record<string, string>);
    code: string;
    status: number;
  }
}

declare module 's3rver/lib/models/object.js' {
  import type { Readable } from 'node:stream';

  export default class S3Object {
    /** Keeps only the metadata S3 stores (content headers, `x-amz-meta-*`). */
    constructor(bucket: string, key: string, content: Readable | Buffer | null, metadata: Record<string, string>);
    bucket: string;
    key: string;
    content: Readable | Buffer | null;
    metadata: Record<string, string>;
  }
}
