import pg from 'pg';

/**
 * The three PostgreSQL roles of a deployment (docs/sql.md, "Roles"): the
 * schema's owner, who runs the migrations; the services' role, which the
 * migrations grant only what the services do; a read-only role for reporting.
 * What each may do is granted by the migrations; who exists is decided here,
 * on the servers we administer ourselves: the embedded one and the test server.
 */
export interface PostgresRoles {
  owner: string;
  service: string;
  reader: string;
}

/** Role names under one prefix. Roles are server-wide: a prefix per database keeps test files apart. */
export const postgresRoles = (prefix: string): PostgresRoles => ({
  owner: `${prefix}_owner`,
  service: `${prefix}_service`,
  reader: `${prefix}_reader`,
});

/**
 * As a superuser: creates the roles that do not exist yet. They log in
 * without a password: both servers trust connections from 127.0.0.1 only
 * (the embedded one has no other listener), so a password would guard nothing.
 */
export async function createPostgresRoles(admin: pg.ClientBase, roles: PostgresRoles): Promise<void> {
  for (const role of Object.values(roles)) {
    await admin.query(
      `DO $$ BEGIN CREATE ROLE ${admin.escapeIdentifier(role)} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE;
       EXCEPTION WHEN duplicate_object THEN NULL; END $$`,
    );
  }
}

/** As a superuser: drops the roles (after their database, where their privileges were). */
export async function dropPostgresRoles(admin: pg.ClientBase, roles: PostgresRoles): Promise<void> {
  for (const role of Object.values(roles)) await admin.query(`DROP ROLE IF EXISTS ${admin.escapeIdentifier(role)}`);
}

/**
 * As a superuser, in the database: lets `owner` create in schema public and
 * gives it what another role created there (a data folder from before the
 * roles existed, whose schema the superuser migrated). Objects of extensions
 * stay with the extension.
 */
export async function handSchemaTo(admin: pg.ClientBase, owner: string): Promise<void> {
  await admin.query(`GRANT CREATE ON SCHEMA public TO ${admin.escapeIdentifier(owner)}`);
  const { rows } = await admin.query<{ statement: string }>(
    `WITH objects AS (
       SELECT c.oid, 'pg_class'::regclass AS catalog, c.relowner AS owner,
              format('ALTER %s %s', CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW' ELSE 'TABLE' END,
                     c.oid::regclass) AS alter
       FROM pg_class c WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
       UNION ALL
       SELECT p.oid, 'pg_proc'::regclass, p.proowner, format('ALTER ROUTINE %s', p.oid::regprocedure)
       FROM pg_proc p WHERE p.pronamespace = 'public'::regnamespace
       UNION ALL
       SELECT t.oid, 'pg_type'::regclass, t.typowner, format('ALTER TYPE %s', t.oid::regtype)
       FROM pg_type t WHERE t.typnamespace = 'public'::regnamespace AND t.typtype IN ('e', 'd')
     )
     SELECT format('%s OWNER TO %I', alter, $1::text) AS statement FROM objects o
     WHERE o.owner <> $1::regrole
       AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = o.catalog AND d.objid = o.oid AND d.deptype = 'e')`,
    [owner],
  );
  for (const { statement } of rows) await admin.query(statement);
}

/**
 * As a superuser: lets `role` take a base backup with the low-level API
 * (`npm run backup` on a server that archives its WAL): start and stop it,
 * and read where the data folder is. It reads no table it could not before.
 */
export async function letTakeBaseBackups(admin: pg.ClientBase, role: string): Promise<void> {
  const grantee = admin.escapeIdentifier(role);
  await admin.query(`GRANT pg_read_all_settings TO ${grantee}`);
  await admin.query(`GRANT EXECUTE ON FUNCTION pg_backup_start(text, boolean), pg_backup_stop(boolean) TO ${grantee}`);
}

/** The sql-subgraph's variables for these roles on the server and database of `adminUrl`. */
export function postgresRoleEnv(adminUrl: string, roles: PostgresRoles): Record<string, string> {
  const as = (role: string) => {
    const url = new URL(adminUrl);
    url.username = role;
    url.password = '';
    return url.toString();
  };
  return {
    DATABASE_URL: as(roles.service),
    DATABASE_OWNER_URL: as(roles.owner),
    DATABASE_READER_ROLE: roles.reader,
  };
}

/**
 * The embedded server's roles (`polystore_*`): created on first start, the
 * schema handed to the owner, and the variables that make the sql-subgraph
 * migrate as the owner and serve as the services' role.
 */
export async function prepareEmbeddedRoles(superuserUrl: string): Promise<Record<string, string>> {
  const roles = postgresRoles('polystore');
  const admin = new pg.Client({ connectionString: superuserUrl });
  await admin.connect();
  try {
    await createPostgresRoles(admin, roles);
    await handSchemaTo(admin, roles.owner);
    await letTakeBaseBackups(admin, roles.owner);
  } finally {
    await admin.end();
  }
  return postgresRoleEnv(superuserUrl, roles);
}
