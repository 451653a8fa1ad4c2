/**
 * The deployment files, each read with its format's parser: `yaml`, `dotenv`,
 * `dockerfile-ast` (behind VS Code's Docker support) and `shell-quote`.
 * Compose's interpolation has no parser on npm: it is the one rule written here.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DockerfileParser } from 'dockerfile-ast';
import dotenv from 'dotenv';
import { parse as parseShell } from 'shell-quote';
import { parse as parseYaml } from 'yaml';

const root = new URL('../../', import.meta.url);
export const readRepoFile = (path: string) => readFileSync(new URL(path, root), 'utf8');
export const repoFileExists = (path: string) => existsSync(fileURLToPath(new URL(path, root)));

export type Env = Record<string, string>;

export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  entrypoint?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number; published?: number | string })[];
  depends_on?: string[] | Record<string, { condition?: string }>;
  healthcheck?: { test?: string | string[] };
  volumes?: (string | { source?: string; target: string })[];
  restart?: string;
  stop_grace_period?: string;
}
export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

/**
 * docker-compose.yml as Compose reads it with this `.env`: `$$` is a literal
 * `$`; `${VAR:-default}` and `${VAR-default}` read `.env`; `${VAR:?message}`
 * (the secrets) must be set, or it throws with the message as Compose stops.
 * Any other form throws, naming the variable: every setting but the secrets
 * has a default, and no secret is ever committed.
 */
export function loadCompose(dotenvValues: Env): {
  compose: ComposeFile;
  interpolated: Set<string>;
  /** Variables written `${NAME:?message}`: no default, compose refuses to start without them. */
  required: Set<string>;
} {
  const interpolated = new Set<string>();
  const required = new Set<string>();
  const interpolate = (value: string) =>
    value.replace(
      /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
      (match, braced?: string, op?: string, arg?: string, bare?: string) => {
        if (match === '$$') return '$';
        const name = (braced ?? bare)!;
        interpolated.add(name);
        const set = dotenvValues[name];
        if (op === ':?') {
          // A secret: no default, compose stops with the message until it is set.
          required.add(name);
          if (!arg) throw new Error(`${match}: say how to set it`);
          if (set === undefined || set === '') throw new Error(`${name} is required: ${arg}`);
          return set;
        }
        if (op !== ':-' && op !== '-') throw new Error(`${match} has no default: write \${${name}:-default}`);
        if (!arg) throw new Error(`${match}: empty default`);
        return set === undefined || (op === ':-' && set === '') ? arg : set;
      },
    );
  const compose = parseYaml(readRepoFile('docker-compose.yml'), (_key, value) =>
    typeof value === 'string' ? interpolate(value) : value,
  ) as ComposeFile;
  return { compose, interpolated, required };
}

/** A service's `environment` as a map; an entry without a value would be taken from the host, so it throws. */
export function environmentOf({ environment = {} }: ComposeService): Env {
  const entries = Array.isArray(environment)
    ? environment.map((entry) => {
        const [name, ...value] = entry.split('=');
        return [name!, value.length > 0 ? value.join('=') : null];
      })
    : Object.entries(environment);
  return Object.fromEntries(
    entries.map(([name, value]) => {
      if (value === null) throw new Error(`${name} has no value: it would be taken from the host`);
      return [name, String(value)];
    }),
  );
}

/** Published ports, short (`[ip:]host:container[/proto]`) or long syntax. */
export const publishedPorts = ({ ports = [] }: ComposeService) =>
  ports.map((port) => {
    if (typeof port === 'object') return { host: Number(port.published), container: Number(port.target) };
    const parts = String(port).split('/')[0]!.split(':');
    return { host: parts.length >= 2 ? Number(parts.at(-2)) : Number.NaN, container: Number(parts.at(-1)) };
  });

/** `depends_on` as { service: condition }. */
export const dependsOn = ({ depends_on: deps = {} }: ComposeService): Record<string, string> =>
  Array.isArray(deps)
    ? Object.fromEntries(deps.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(deps).map(([name, dep]) => [name, dep.condition ?? 'service_started']));

/** A command in list form as it is; in string form, split as a shell would. */
export const words = (command: string | string[] | undefined): string[] =>
  command === undefined ? [] : Array.isArray(command) ? command : shellWords(command);

/** The words of a shell line; `$VAR` is read from `env` when given, and throws when `env` does not set it. */
export function shellWords(line: string, env?: Env): string[] {
  const lookup = (name: string) => {
    if (env?.[name] === undefined) throw new Error(`$${name} is not set`);
    return env[name];
  };
  // Operators and comments are not words: a check that expects one then fails.
  return parseShell(line, env && lookup).filter((entry) => typeof entry === 'string');
}

/** The URL a health check requests (each runs a one-line fetch on node). */
export function healthcheckUrl(service: ComposeService): URL {
  const text = words(service.healthcheck?.test).join(' ');
  const match = /https?:\/\/[^'"\s)]+/.exec(text);
  if (!match) throw new Error(`health check "${text}" requests no URL`);
  return new URL(match[0]);
}

export const portOf = (url: URL) => Number(url.port || (url.protocol === 'https:' ? 443 : 80));

/** A Compose duration (Go's syntax: `15s`, `1m30s`, `500ms`) in milliseconds. */
export function durationMs(text: string): number {
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1, us: 1e-3, ns: 1e-6 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|ns)/g)];
  if (parts.length === 0 || parts.map(([part]) => part).join('') !== text) throw new Error(`"${text}" is no duration`);
  return parts.reduce((sum, [, amount, unit]) => sum + Number(amount) * units[unit!]!, 0);
}

/**
 * `.env.example`: what dotenv sets from it, the examples commented out
 * (`# NAME=value`: no default), and the name of every assignment in order.
 */
function parseEnvExample(text: string) {
  const lines = text.split('\n');
  const assignments = lines.flatMap((line, index) => {
    const [, hash, name] = /^(#\s*)?([A-Z][A-Z0-9_]*)=/.exec(line) ?? [];
    return name ? [{ name, line, commented: !!hash, documented: !!lines[index - 1]?.startsWith('#') }] : [];
  });
  const commentedOut = assignments.filter(({ commented }) => commented).map(({ line }) => line.replace(/^#\s*/, ''));
  return {
    set: dotenv.parse(text),
    commented: dotenv.parse(commentedOut.join('\n')),
    names: assignments.map(({ name }) => name),
    /** Set without a comment line above. */
    undocumented: assignments.filter(({ commented, documented }) => !commented && !documented).map(({ name }) => name),
  };
}

export const envExample = parseEnvExample(readRepoFile('.env.example'));
export const dockerfile = DockerfileParser.parse(readRepoFile('Dockerfile'));
