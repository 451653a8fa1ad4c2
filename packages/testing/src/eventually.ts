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
