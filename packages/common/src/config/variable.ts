import { SUBGRAPHS, type SubgraphDefinition, type SubgraphName } from '../subgraphs.js';
import {
  ConfigError,
  type Env,
  readBool,
  readEnum,
  readInt,
  readOptionalString,
  readMongoUrl,
  readString,
  readUrl,
} from './env.js';

/**
 * One environment variable, declared once: loadConfig reads it with `read`;
 * `.env.example` and the README's table are written from the rest
 * (`reference/`). Build them with the helpers below, never by hand.
 */
export type Variable<T = unknown> = VariableKind & {
  readonly name: string;
  /** One line: what it sets; `.env.example` and the README's table print it. */
  readonly doc: string;
  /** Holds a credential: documented without a value, never given a public default. */
  readonly secret: boolean;
  /** Where `.env.example` and the README's table list it. */
  readonly section?: Section;
  read(env: Env): T;
};

/** What the documentation needs to show a variable's default and its allowed values. */
export type VariableKind =
  | { kind: 'integer'; default: number; min?: number; max?: number }
  | { kind: 'text'; default: string }
  | { kind: 'flag'; default: boolean }
  | { kind: 'one-of'; values: readonly string[]; default: string }
  /** No default: `example` is a value that changes behaviour, `unset` says what happens without one. */
  | { kind: 'optional-text' | 'url' | 'mongo-url' | 'origins'; example: string; unset: string }
  | { kind: 'secret'; example: string; unset: string; minLength: number };

/** A heading of `.env.example` and of the README's table, with a line under it. */
export interface Section {
  title: string;
  intro?: string;
}

/** The declaration tree: the typed config has the same shape, a value where each variable is. */
export interface Tree {
  readonly [key: string]: Variable | Tree;
}

/** The config a tree of declarations reads into. */
export type ValuesOf<T> = { -readonly [K in keyof T]: T[K] extends Variable<infer V> ? V : ValuesOf<T[K]> };

interface Described {
  name: string;
  doc: string;
  secret?: boolean;
}
interface Optional extends Described {
  example: string;
  unset: string;
}

const variable = <T>(spec: Described & VariableKind, read: (env: Env) => T): Variable<T> => ({
  ...spec,
  secret: spec.secret ?? false,
  read,
});

export const integer = (spec: Described & { default: number; min?: number; max?: number }) =>
  variable({ ...spec, kind: 'integer' }, (env) =>
    readInt(env, spec.name, spec.default, { min: spec.min, max: spec.max }),
  );

export const text = (spec: Described & { default: string }) =>
  variable({ ...spec, kind: 'text' }, (env) => readString(env, spec.name, spec.default));

export const flag = (spec: Described & { default: boolean }) =>
  variable({ ...spec, kind: 'flag' }, (env) => readBool(env, spec.name, spec.default));

export const oneOf = <const V extends readonly [string, ...string[]]>(
  spec: Described & { values: V; default: V[number] },
) => variable({ ...spec, kind: 'one-of' }, (env) => readEnum<V[number]>(env, spec.name, spec.values, spec.default));

export const optionalText = (spec: Optional) =>
  variable({ ...spec, kind: 'optional-text' }, (env) => readOptionalString(env, spec.name));

/** A MongoDB connection string (several hosts allowed, as a replica set's URL has), or unset. */
export const mongoUrl = (spec: Optional) =>
  variable({ ...spec, kind: 'mongo-url' }, (env) => readMongoUrl(env, spec.name));

/** A URL, or unset; `orElse` names a variable whose value it takes when unset. */
export const url = (spec: Optional & { orElse?: string }) =>
  variable(
    { ...spec, kind: 'url' },
    (env) => readUrl(env, spec.name) ?? (spec.orElse === undefined ? undefined : readUrl(env, spec.orElse)),
  );

/** A secret long enough to resist guessing (HS256 wants at least 256 bits), or unset. */
export const secret = (spec: Optional) =>
  variable({ ...spec, kind: 'secret', secret: true, minLength: 32 }, (env) => {
    const value = readOptionalString(env, spec.name);
    if (value !== undefined && value.length < 32) throw new ConfigError(`${spec.name} must be at least 32 characters`);
    return value;
  });

/** A comma-separated list of `host:port` (Redis Sentinels, say), each checked; unset: none. */
export const hostPorts = (spec: Optional) =>
  variable({ ...spec, kind: 'optional-text' }, (env) =>
    (readOptionalString(env, spec.name) ?? '')
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const match = /^([^\s:,]+):(\d{1,5})$/.exec(entry);
        const port = Number(match?.[2]);
        if (!match || port < 1 || port > 65_535) {
          throw new ConfigError(`${spec.name} must be host:port pairs separated by commas; "${entry}" is not one`);
        }
        return { host: match[1]!, port };
      }),
  );

/** A comma-separated list of origins (`https://app.example.com`), each checked; unset: none. */
export const origins = (spec: Optional) =>
  variable({ ...spec, kind: 'origins' }, (env) => {
    const list = (readOptionalString(env, spec.name) ?? '')
      .split(',')
      .map((origin) => origin.trim())
      .filter(Boolean);
    for (const origin of list) {
      if (originOf(origin) !== origin)
        throw new ConfigError(`${spec.name}: "${origin}" is not an origin like https://app.example.com`);
    }
    return list;
  });

function originOf(text: string): string | undefined {
  try {
    return new URL(text).origin;
  } catch {
    return undefined;
  }
}

/** One entry per subgraph of the registry, keyed by its name. */
export function perSubgraph<T>(declare: (subgraph: SubgraphDefinition) => T): Record<SubgraphName, T> {
  return Object.fromEntries(SUBGRAPHS.map((subgraph) => [subgraph.name, declare(subgraph)])) as Record<SubgraphName, T>;
}

export const isVariable = (node: Variable | Tree): node is Variable => typeof node.read === 'function';

/** `tree` with each of its variables listed under `section` in the documentation, unless placed already. */
export function inSection<T extends Tree>(section: Section, tree: T): T {
  const place = (node: Variable | Tree): Variable | Tree =>
    isVariable(node)
      ? { ...node, section: node.section ?? section }
      : Object.fromEntries(Object.entries(node).map(([key, child]) => [key, place(child)]));
  return place(tree) as T;
}

/** Every variable of a tree, in the order loadConfig reads them. */
export const variablesOf = (tree: Tree): Variable[] =>
  Object.values(tree).flatMap((node) => (isVariable(node) ? [node] : variablesOf(node)));

/** The value of every variable of `tree`, in its shape. */
export function readTree<T extends Tree>(tree: T, env: Env): ValuesOf<T> {
  const entries = Object.entries(tree).map(([key, node]) => [
    key,
    isVariable(node) ? node.read(env) : readTree(node, env),
  ]);
  return Object.fromEntries(entries) as ValuesOf<T>;
}
