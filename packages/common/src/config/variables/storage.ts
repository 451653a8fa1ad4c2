import { flag, inSection, integer, text, url } from '../variable.js';

const STORAGE = { title: 'S3 (storage-subgraph)' };
const MiB = 1024 * 1024;
/** S3's largest single PUT. */
const FIVE_GiB = 5 * 1024 * MiB;

export const s3 = inSection(STORAGE, {
  endpoint: url({
    name: 'S3_ENDPOINT',
    example: 'http://127.0.0.1:9000',
    unset: '`npm start` and the tests serve an embedded one on a local folder; a service started alone uses AWS S3',
    doc: 'Endpoint of an S3-compatible server; the tests use it too when it is set.',
  }),
  publicEndpoint: url({
    name: 'S3_PUBLIC_ENDPOINT',
    orElse: 'S3_ENDPOINT',
    example: 'http://localhost:9000',
    unset: 'S3_ENDPOINT',
    doc: 'Endpoint written into presigned URLs, when clients reach S3 by another address than the service does (Docker).',
  }),
  region: text({ name: 'S3_REGION', default: 'us-east-1', doc: 'Region used to sign requests.' }),
  bucket: text({ name: 'S3_BUCKET', default: 'polystore', doc: 'Bucket holding every object.' }),
  accessKeyId: text({
    name: 'S3_ACCESS_KEY_ID',
    default: 'S3RVER',
    doc: 'Access key id (the default fits the embedded server only).',
  }),
  secretAccessKey: text({
    name: 'S3_SECRET_ACCESS_KEY',
    default: 'S3RVER',
    secret: true,
    doc: 'Secret access key (the default fits the embedded server only).',
  }),
  forcePathStyle: flag({
    name: 'S3_FORCE_PATH_STYLE',
    default: true,
    doc: 'Path-style URLs (http://host/bucket/key), needed by MinIO and the embedded server.',
  }),
  urlTtlSeconds: integer({
    name: 'S3_URL_TTL_SECONDS',
    default: 900,
    min: 1,
    max: 604_800,
    doc: 'Seconds a presigned GET URL stays valid by default; Asset.url(expiresIn) may ask for less or more.',
  }),
});

export const uploads = inSection(STORAGE, {
  urlTtlSeconds: integer({
    name: 'UPLOAD_URL_TTL_SECONDS',
    default: 900,
    min: 1,
    max: 86_400,
    doc: 'Seconds a presigned upload (PUT or multipart part) stays valid; an upload not completed by then is removed.',
  }),
  maxImageBytes: integer({
    name: 'UPLOAD_MAX_IMAGE_BYTES',
    default: 10 * MiB,
    min: 1,
    max: FIVE_GiB,
    doc: 'Largest product image or user avatar, in bytes.',
  }),
  maxAttachmentBytes: integer({
    name: 'UPLOAD_MAX_ATTACHMENT_BYTES',
    default: 100 * MiB,
    min: 1,
    max: FIVE_GiB,
    doc: 'Largest order attachment, in bytes.',
  }),
  multipartThresholdBytes: integer({
    name: 'UPLOAD_MULTIPART_THRESHOLD_BYTES',
    default: 16 * MiB,
    // S3 parts are at least 5 MiB (but the last).
    min: 5 * MiB,
    max: FIVE_GiB,
    doc: 'From this size on, requestUpload returns a multipart plan of 8 MiB parts instead of one PUT.',
  }),
  sweepIntervalSeconds: integer({
    name: 'UPLOAD_SWEEP_INTERVAL_SECONDS',
    default: 60,
    min: 1,
    max: 3_600,
    doc: "Seconds between each storage-subgraph replica's sweeps for uploads never completed.",
  }),
  sweepGraceSeconds: integer({
    name: 'UPLOAD_SWEEP_GRACE_SECONDS',
    default: 60,
    min: 0,
    max: 3_600,
    doc: "Seconds after an upload's expiry before the sweep removes it, so a completion begun in time can finish.",
  }),
});
