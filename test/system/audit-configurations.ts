import { randomBytes } from 'node:crypto';
import { CONFIG_VARIABLES } from '@polystore/common';

/** One way of running the gateway through the whole audit. */
export interface AuditConfiguration {
  name: string;
  /** The gateway's settings (on top of the supergraph path, port and log level). */
  env: Record<string, string>;
  /** Each suite's cases sent twice: the second pass must be answered from the response cache. */
  twice: boolean;
  /** Redis key prefix the configuration writes under, one below it per suite (all removed after the run). */
  redisKeyPrefix?: string;
}

const secret = () => randomBytes(32).toString('hex');

/**
 * The audit's supergraphs give no list a size (`@listSize`), so each counts GATEWAY_DEFAULT_LIST_SIZE
 * (10) in the cost estimate, and three nested lists (1,110) are over the anonymous budget set for ours;
 * its requests carry no token, and some chain more subgraphs in turn than an anonymous plan may. They
 * get the signed-in budgets (GATEWAY_MAX_COST, no request or field budget of their own) instead: the
 * audit checks answers, the anonymous budgets have tests of their own (`test/limits.test.ts`,
 * `gateway-cpu.test.ts`).
 */
const COST = {
  GATEWAY_MAX_COST_ANONYMOUS: '0',
  GATEWAY_MAX_FETCHES_ANONYMOUS: '0',
  GATEWAY_MAX_FIELDS_ANONYMOUS: '0',
};

export function auditConfigurations(redisUrl: string): AuditConfiguration[] {
  const redisKeyPrefix = `federation-audit-${randomBytes(4).toString('hex')}:`;
  return [
    { name: 'defaults', env: { ...COST }, twice: false },
    {
      name: 'production plugins',
      env: {
        REDIS_URL: redisUrl,
        GATEWAY_RESPONSE_CACHE: 'true',
        GATEWAY_PERSISTED_QUERIES: 'apq',
        // Tokens are verified; the audit's requests carry none and go on anonymous.
        JWT_SECRET: secret(),
        // Every subgraph request is signed; the audit's subgraphs ignore the extension.
        SUBGRAPH_SIGNING_SECRET: secret(),
        GATEWAY_MAX_COST: '10000',
        ...COST,
        // Every case of both passes from one address within a window.
        GATEWAY_RATE_LIMIT: '100000',
      },
      twice: true,
      redisKeyPrefix,
    },
  ];
}

/**
 * The environment a gateway of the run starts with: this process's, without any
 * of the product's variables (a developer's shell or `.env` must not change
 * what is measured), plus the configuration's.
 */
export function gatewayEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const name of CONFIG_VARIABLES) delete env[name];
  delete env['NODE_OPTIONS'];
  return { ...env, ...settings };
}
