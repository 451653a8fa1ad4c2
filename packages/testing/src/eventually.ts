import type { Redis } from 'ioredis';

/**
 * Waits until `check` holds, polling every 100 ms, and fails naming `what`
 * after `timeoutMs`: for effects that travel asynchronously (events, caches, reloads).
 */
export async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until `url` answers 2xx (a server started in another process), for up to `timeoutMs`. */
export async function untilAnswering(url: string, timeoutMs = 30_000): Promise<void> {
  const answers = () =>
    fetch(url, { signal: AbortSignal.timeout(1_000) }).then(
      async (response) => (await response.text(), response.ok),
      () => false,
    );
  await eventually(answers, `${url} answers`, timeoutMs);
}

/** True once consumer group `group` has read and acknowledged every event on the stream under `keyPrefix`. */
export async function consumerGroupCaughtUp(redis: Redis, keyPrefix: string, group: string): Promise<boolean> {
  const groups = (await redis.xinfo('GROUPS', `${keyPrefix}events`)) as unknown[][];
  const found = groups
    .map((fields) => Object.fromEntries(fields.flatMap((value, i) => (i % 2 === 0 ? [[value, fields[i + 1]]] : []))))
    .find((fields) => fields.name === group);
  return found !== undefined && found.pending === 0 && found.lag === 0;
}
