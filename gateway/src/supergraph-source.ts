import { readFile } from 'node:fs/promises';
import { buildSchema } from 'graphql';
import type { Config, Logger } from '@polystore/common';

/**
 * Where the gateway reads its supergraph, each time the runtime polls: the
 * file at SUPERGRAPH_PATH, or SUPERGRAPH_URL. A new version is checked (it
 * must build as a schema and name its subgraphs) before the runtime sees it;
 * one that fails, or a source that cannot be read, is logged and the current
 * supergraph stays. The runtime swaps only when the content changed.
 */
export function supergraphSource(config: Config['gateway'], log: Logger): () => Promise<string> {
  let current: string | undefined;
  const read = async () => {
    if (!config.supergraphUrl) return readFile(config.supergraphPath, 'utf8');
    const response = await fetch(config.supergraphUrl, { signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`${config.supergraphUrl} answered ${response.status}`);
    return response.text();
  };
  return async () => {
    try {
      const sdl = await read();
      if (sdl === current) return sdl;
      checkSupergraph(sdl);
      if (current !== undefined)
        log.info({ source: config.supergraphUrl ?? config.supergraphPath }, 'supergraph changed: swapping');
      current = sdl;
      return sdl;
    } catch (err) {
      if (current === undefined) throw err;
      log.error(
        { err, source: config.supergraphUrl ?? config.supergraphPath },
        'new supergraph refused: keeping the current one',
      );
      return current;
    }
  };
}

/** Throws unless the SDL is a valid schema that routes to at least one subgraph. */
export function checkSupergraph(sdl: string): void {
  const schema = buildSchema(sdl);
  const graphs = schema.getType('join__Graph');
  if (!graphs || !('getValues' in graphs) || (graphs.getValues as () => unknown[])().length === 0) {
    throw new Error('not a supergraph: no join__Graph enum naming its subgraphs');
  }
}
