import type { EntrySection } from './entry.js';

/** Variables documented beside the config's that loadConfig does not read: the tests' and docker compose's. */
export const OTHER_SECTIONS: EntrySection[] = [
  {
    title: 'Tests (npm test)',
    intro: 'MONGO_URL and S3_ENDPOINT above are used by the tests when set.',
    entries: [
      {
        name: 'TEST_DATABASE_URL',
        value: 'postgres://postgres@127.0.0.1:5432/postgres',
        doc: 'Admin connection to a real PostgreSQL; each test file creates its own database.',
      },
      {
        name: 'TEST_REDIS_URL',
        value: 'redis://127.0.0.1:6379',
        doc: 'Real Redis; each test file uses its own key prefix.',
      },
    ],
  },
  {
    title: 'docker compose only (docker-compose.yml)',
    intro: 'The two passwords have no default: docker compose refuses to start until they are set.',
    entries: [
      {
        name: 'POSTGRES_USER',
        value: 'postgres',
        doc: 'PostgreSQL container user; DATABASE_URL in compose is built from it, POSTGRES_PASSWORD and POSTGRES_DB.',
      },
      {
        name: 'POSTGRES_PASSWORD',
        secret: true,
        example: 'replace-with-a-url-safe-password',
        unset: 'docker compose does not start',
        doc: 'PostgreSQL container password (URL-safe characters: it goes into DATABASE_URL).',
      },
      { name: 'POSTGRES_DB', value: 'polystore', doc: 'Database created on first start and used by sql-subgraph.' },
      {
        name: 'MINIO_ROOT_USER',
        value: 'minioadmin',
        doc: "MinIO root user, also storage-subgraph's S3_ACCESS_KEY_ID in compose.",
      },
      {
        name: 'MINIO_ROOT_PASSWORD',
        secret: true,
        example: 'replace-with-8-or-more-characters',
        unset: 'docker compose does not start',
        doc: "MinIO root password (8 characters or more), also storage-subgraph's S3_SECRET_ACCESS_KEY.",
      },
    ],
  },
];
