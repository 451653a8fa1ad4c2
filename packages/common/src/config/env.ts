import { ConnectionString } from 'mongodb-connection-string-url';
/**
 * Small typed readers for environment variables. Every reader throws a
 * ConfigError naming the variable, so a bad deployment fails at start-up with
 * one clear line instead of misbehaving later.
 */
export type Env = Record<string, string | undefined>;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function readString(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function readOptionalString(env: Env, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value === '' ? undefined : value;
}

export function readInt(
  env: Env,
  name: string,
  fallback: number,
  { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = {},
): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
  }
  return value;
}

export function readBool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

export function readEnum<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

/** A MongoDB connection string, parsed as the driver parses it: several hosts (a replica set's members) are allowed. */
export function readMongoUrl(env: Env, name: string): string | undefined {
  const raw = readOptionalString(env, name);
  if (raw === undefined) return undefined;
  try {
    new ConnectionString(raw);
  } catch (err) {
    throw new ConfigError(
      `${name} must be a MongoDB connection string (mongodb:// or mongodb+srv://): ${(err as Error).message}`,
    );
  }
  return raw;
}

export function readUrl(env: Env, name: string, fallback?: string): string | undefined {
  const raw = readOptionalString(env, name) ?? fallback;
  if (raw === undefined) return undefined;
  try {
    new URL(raw);
  } catch {
    // The value is not repeated: a connection URL carries its password.
    throw new ConfigError(`${name} must be a URL (scheme://host...); its value is not shown, it may hold a password`);
  }
  return raw;
}
