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
