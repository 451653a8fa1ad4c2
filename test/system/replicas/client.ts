import { randomUUID } from 'node:crypto';
import { adminToken } from '@polystore/testing';
import { PIN_HEADER, SERVED_BY_HEADER } from './haproxy.js';

/** A GraphQL answer through the balancer, with the HTTP status and the replica that served it. */
export interface Answer<Data = Record<string, any>> {
  status: number;
  servedBy?: string;
  data?: Data;
  errors?: { message: string; extensions?: { code?: string } }[];
}

export interface AskOptions {
  /** Route to this replica while it is up (`gateway-1`): HAProxy's `use-server`. */
  pin?: string;
  token?: string;
  /** Extensions of the request (a persisted query's hash). */
  extensions?: Record<string, unknown>;
  /** Default 5000 ms. */
  timeoutMs?: number;
}

/**
 * One GraphQL request over HTTP; a refused connection, a timeout or a body
 * that is not JSON (HAProxy's 502/503 pages) is an answer with status 0 or
 * the status and an `errors` entry, never a throw: load loops count them.
 */
export async function ask<Data = Record<string, any>>(
  url: string,
  query: string | undefined,
  variables: Record<string, unknown> = {},
  { pin, token, extensions, timeoutMs = 5_000 }: AskOptions = {},
): Promise<Answer<Data>> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(pin ? { [PIN_HEADER]: pin } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables, ...(extensions ? { extensions } : {}) }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await response.text();
    const servedBy = response.headers.get(SERVED_BY_HEADER) ?? undefined;
    try {
      return { status: response.status, servedBy, ...(JSON.parse(text) as Omit<Answer<Data>, 'status'>) };
    } catch {
      return { status: response.status, servedBy, errors: [{ message: text.slice(0, 200) }] };
    }
  } catch (err) {
    return { status: 0, errors: [{ message: (err as Error).message }] };
  }
}

/**
 * Admin tokens whose subject changes every `uses` requests: the rate limit
 * counts per user, and the load must not spend one user's whole budget.
 */
export class RotatingIdentity {
  private used = 0;
  private token = adminToken(randomUUID());

  constructor(private readonly uses = 25) {}

  next(): string {
    if (++this.used > this.uses) {
      this.used = 1;
      this.token = adminToken(randomUUID());
    }
    return this.token;
  }
}
