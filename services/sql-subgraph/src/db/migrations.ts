import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const MIGRATIONS_DIR = fileURLToPath(new URL('../../migrations/', import.meta.url));
const FILE_NAME = /^(\d{13})_([a-z0-9_]+)\.up\.sql$/;

type MigrationClass = new () => MigrationInterface;

/**
 * Turns each `migrations/<timestamp>_<name>.up.sql` (with its `.down.sql`)
 * into a TypeORM migration class, so the schema is plain SQL that a DBA can
 * read while TypeORM still tracks what ran in its `migrations` table.
 */
export function loadSqlMigrations(dir = MIGRATIONS_DIR): MigrationClass[] {
  return readdirSync(dir)
    .map((file) => FILE_NAME.exec(file))
    .filter((match): match is RegExpExecArray => match !== null)
    .sort((a, b) => a[1]!.localeCompare(b[1]!))
    .map(([file, timestamp, slug]) => {
      const up = readFileSync(`${dir}/${file}`, 'utf8');
      const down = readFileSync(`${dir}/${file.replace(/\.up\.sql$/, '.down.sql')}`, 'utf8');
      // TypeORM reads the run order from the last 13 digits of the name.
      const name = `${slug!.replace(/(^|_)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase())}${timestamp}`;
      return class implements MigrationInterface {
        name = name;
        async up(queryRunner: QueryRunner) {
          await queryRunner.query(up);
        }
        async down(queryRunner: QueryRunner) {
          await queryRunner.query(down);
        }
      };
    });
}
