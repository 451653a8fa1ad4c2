import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '@polystore/common';
import { earlyOperations } from './plugins/early-request.js';
import type { inflightQueries } from './plugins/inflight-queries.js';
import type { hitsBeforeRuntime } from './plugins/response-cache/index.js';
import type { VerifiedTokens } from './plugins/verified-tokens.js';

/**
 * What answers a request before the runtime, in order: a response-cache hit
 * (`hitsBeforeRuntime`, when the cache is on), then the answer of an identical
 * query in flight (`inflightQueries`, when on). `run` hands the request to the
 * runtime; each of them calls it for what it does not answer. The operation is
 * read once for both (`early-request.ts`).
 */
export function earlyAnswers({
  config,
  tokens,
  graphqlPath,
  answerHit,
  inflight,
}: {
  config: Config;
  tokens: VerifiedTokens;
  graphqlPath: string;
  answerHit: ReturnType<typeof hitsBeforeRuntime> | undefined;
  inflight: ReturnType<typeof inflightQueries> | undefined;
}) {
  const read = earlyOperations({ config, tokens, graphqlPath });
  return async function answer(req: IncomingMessage, res: ServerResponse, run: () => Promise<void>): Promise<void> {
    if (!answerHit && !inflight) return run();
    const asked = await read(req);
    if (asked === null) return; // the client went away: nothing to answer
    if (!asked) return run();
    if (answerHit && (await answerHit(req, res, asked))) return;
    return inflight ? inflight.serve(req, res, asked, run) : run();
  };
}
