import { type Env } from './env.js';
import { readTree, variablesOf, type Section, type ValuesOf } from './variable.js';
import { backups, general, launcher, tracing } from './variables/general.js';
import { gateway } from './variables/gateway.js';
import { auth } from './variables/identity.js';
import { metrics, ports, subgraphUrls } from './variables/listeners.js';
import { s3, uploads } from './variables/storage.js';
import { events, mongo, outbox, postgres, redis } from './variables/stores.js';

export type { LogLevel } from './variables/general.js';

/**
 * Every variable the stack reads, in the shape of the config it reads into;
 * each is declared once, by area, in `variables/`.
 */
const CONFIG_DECLARATION = {
  ...general,
  ports,
  metrics,
  postgres,
  outbox,
  mongo,
  s3,
  uploads,
  redis,
  events,
  gateway,
  auth,
  subgraphUrls,
  tracing,
  ...launcher,
  backups,
};

/** Everything the stack reads from the environment, validated once at start-up. */
export type Config = ValuesOf<typeof CONFIG_DECLARATION>;

/** The config from `env` (only from it, never from the shell); a bad value throws a ConfigError naming its variable. */
export function loadConfig(env: Env = process.env): Config {
  return readTree(CONFIG_DECLARATION, env);
}

/** Every declared variable, in the order loadConfig reads them. */
export const CONFIG_VARIABLE_DECLARATIONS = variablesOf(CONFIG_DECLARATION);

/** Names of every variable `loadConfig` reads; `.env.example` and docker-compose are checked against it. */
export const CONFIG_VARIABLES: readonly string[] = CONFIG_VARIABLE_DECLARATIONS.map((variable) => variable.name);

/** The headings `.env.example` and the README's table list the variables under, in the order they are first read. */
export const CONFIG_SECTIONS: readonly Section[] = [
  ...new Set(CONFIG_VARIABLE_DECLARATIONS.map((variable) => variable.section!)),
];
