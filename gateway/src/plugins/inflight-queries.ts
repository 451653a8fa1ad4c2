import type { ServerResponse } from 'node:http';
import type { GatewayPlugin } from '@graphql-hive/gateway-runtime';
import type { ServiceMetrics } from '@polystore/common';
import { OperationTypeNode } from 'graphql';
import { operationTypeOf } from './execution.js';
import { gatewayCounters } from './metrics.js';
import { spentBeforeRuntime, type EarlyOperation, type EarlyRequest } from './early-request.js';
import { SPENT_BEFORE_RUNTIME, type SpendBudget } from './rate-limit-budget.js';
import type { WritesBegun } from './writes-begun.js';

/** Characters of documents remembered as queries at most; past it the first remembered are forgotten (and learnt again). */
const MAX_KNOWN_QUERY_CHARACTERS = 10_000_000;
/** Queries in flight at once that others may join, at most; past it a request runs on its own. */
const MAX_FLIGHTS = 10_000;

/** The document (and operation name) of a request that runs through the runtime, to learn whether it is a query. */
const ASKED = Symbol('document read before the runtime');

type AskedRequest = EarlyRequest & { [ASKED]?: string };

/** A query's answer as the runtime sent it, for the identical requests that waited for it. */
interface SharedAnswer {
  contentType: string;
  body: Buffer;
}

interface Flight {
  /** The count of mutations begun and ended when this query began. */
  writes: number;
  /** Requests waiting for its answer: without any, the answer is not kept. */
  waiting: number;
  answer: Promise<SharedAnswer | undefined>;
}

/**
 * Inbound de-duplication (GATEWAY_DEDUPLICATE_QUERIES): a query that is
 * already being answered for an identical request (the same body, the same
 * Authorization and Accept headers) waits for that answer and
 * is sent its bytes, instead of being parsed, planned, fetched and serialised
 * again. Subgraph requests are de-duplicated by the runtime as well; this
 * shares the whole operation, as Hive Router's inbound de-duplication does.
 *
 * - Only operations read before the runtime (`early-request.ts`) take part,
 *   and only once the runtime has executed their document as a query: a
 *   mutation or subscription never waits for another request.
 * - Who asks is part of the match, so an answer is only ever shared with the
 *   caller it was made for; each joining request spends its own rate-limit
 *   budget first, and a refused one goes on to the runtime to be refused.
 * - Read-your-writes through this gateway: a query never joins one that began
 *   before a mutation that began here since (`writes-begun.ts`). A write made
 *   elsewhere (another replica, a subgraph's own client) is not seen: a query
 *   that joins one begun before it may answer without it, as with subgraph
 *   de-duplication.
 * - Only a 200 JSON answer is shared. An answer the runtime could not finish
 *   (the first client went away, an error status) is not: the requests that
 *   waited for it run on their own.
 */
export function inflightQueries({
  spend,
  metrics,
  writes,
}: {
  spend: SpendBudget | undefined;
  metrics: ServiceMetrics;
  writes: WritesBegun;
}) {
  const queries = new Set<string>();
  let knownCharacters = 0;
  const flights = new Map<string, Flight>();
  const shared = gatewayCounters.inflightShared(metrics);
  shared.inc(0);
  let waiting = 0;
  metrics.gauge(
    'gateway_inflight_waiting',
    'Queries waiting for the answer of an identical query in flight (inbound de-duplication)',
    () => waiting,
  );

  const plugin: GatewayPlugin = {
    onExecute({ args }) {
      const asked = (args.contextValue as { req?: AskedRequest }).req?.[ASKED];
      if (asked === undefined || queries.has(asked)) return;
      if (operationTypeOf(args) !== OperationTypeNode.QUERY) return;
      queries.add(asked);
      knownCharacters += asked.length;
      for (const oldest of queries) {
        if (knownCharacters <= MAX_KNOWN_QUERY_CHARACTERS) break;
        queries.delete(oldest);
        knownCharacters -= oldest.length;
      }
    },
  };

  /** Answers `req` with an identical query's answer in flight, else runs it (`run`) as one others may join. */
  async function serve(req: AskedRequest, res: ServerResponse, asked: EarlyOperation, run: () => Promise<void>) {
    const { operation, document, authorization, claims, text } = asked;
    const documentKey = `${operation.operationName ?? ''}\n${document}`;
    if (!queries.has(documentKey)) {
      req[ASKED] = documentKey;
      return run();
    }
    // The Accept header as sent: it also decides whether a @defer answer comes in parts.
    const key = `${req.headers.accept ?? ''}\n${authorization ?? ''}\n${text}`;
    const flight = flights.get(key);
    const begun = writes.count();
    if (flight?.writes === begun) {
      // Over its budget (here or in the response cache's lookup): the runtime answers with the refusal.
      if (await spentBeforeRuntime(spend, req, claims)) return run();
      waiting += 1;
      flight.waiting += 1;
      const answer = await flight.answer.finally(() => (waiting -= 1));
      if (!answer) return run();
      shared.inc();
      res.writeHead(200, { 'content-type': answer.contentType, 'content-length': answer.body.length });
      res.end(answer.body);
      return;
    }
    // Refused (its budget spent), or gone while the checks above waited: it answers no one else.
    if (flights.size >= MAX_FLIGHTS || req[SPENT_BEFORE_RUNTIME] || res.closed) return run();
    const entry: Flight = { writes: begun, waiting: 0, answer: answerOf(res, () => entry.waiting > 0) };
    flights.set(key, entry);
    void entry.answer.then(() => {
      if (flights.get(key) === entry) flights.delete(key);
    });
    return run();
  }

  return { plugin, serve };
}

/** The `content-type` of a JSON answer. */
const JSON_ANSWER = /^application\/(graphql-response\+)?json\b/i;

/**
 * The answer written to `res`, resolved once its last byte is written (the
 * declared length reached, or `end`): not when the client has read it, so a
 * slow reader does not hold back the requests waiting for it. Undefined when
 * it is not a 200 JSON answer (not content-encoded), no request waits for it
 * (`wanted`), or the response closed first.
 */
function answerOf(res: ServerResponse, wanted: () => boolean): Promise<SharedAnswer | undefined> {
  return new Promise((resolve) => {
    // Kept as written: encoded and joined only when someone waits for them.
    const chunks: { chunk: string | Uint8Array; encoding: BufferEncoding }[] = [];
    let size = 0;
    let settled = false;
    const settle = () => {
      if (settled) return;
      settled = true;
      const contentType = res.getHeader('content-type');
      // Bytes encoded for the first client's Accept-Encoding are not sent to another.
      const json =
        res.statusCode === 200 &&
        typeof contentType === 'string' &&
        JSON_ANSWER.test(contentType) &&
        res.getHeader('content-encoding') === undefined;
      if (!json || !wanted()) return resolve(undefined);
      const body = Buffer.concat(
        chunks.map(({ chunk, encoding }) => (typeof chunk === 'string' ? Buffer.from(chunk, encoding) : chunk)),
        size,
      );
      resolve({ contentType, body });
    };
    const keep = (chunk: unknown, encoding: unknown) => {
      if (settled || (typeof chunk !== 'string' && !(chunk instanceof Uint8Array))) return;
      const known = typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8';
      chunks.push({ chunk, encoding: known });
      size += typeof chunk === 'string' ? Buffer.byteLength(chunk, known) : chunk.byteLength;
      const declared = Number(res.getHeader('content-length'));
      if (declared > 0 && size >= declared) settle();
    };
    const { write, end } = res;
    res.write = function (this: ServerResponse, chunk: unknown, encoding?: unknown, callback?: unknown) {
      keep(chunk, encoding);
      return write.call(this, chunk, encoding as BufferEncoding, callback as () => void);
    } as ServerResponse['write'];
    res.end = function (this: ServerResponse, chunk?: unknown, encoding?: unknown, callback?: unknown) {
      if (typeof chunk !== 'function') keep(chunk, encoding);
      settle();
      return end.call(this, chunk, encoding as BufferEncoding, callback as () => void);
    } as ServerResponse['end'];
    res.once('close', () => {
      if (settled) return;
      settled = true;
      resolve(undefined);
    });
  });
}
