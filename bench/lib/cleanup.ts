/**
 * What the bench creates in stores it did not create itself (databases on the
 * shared PostgreSQL, key prefixes on the shared Redis, temporary folders,
 * private servers) is registered here while it exists, so that a bench stopped
 * with Ctrl-C or SIGTERM still removes it before exiting.
 */
const pending = new Set<() => Promise<unknown>>();

/** Registers `fixture` until its `dispose` runs (which then also unregisters it). */
export function tracked<T extends { dispose(): Promise<unknown> }>(fixture: T): T {
  const original = fixture.dispose.bind(fixture);
  const dispose = async () => {
    pending.delete(dispose);
    return original();
  };
  pending.add(dispose);
  fixture.dispose = dispose;
  return fixture;
}

/** On SIGINT or SIGTERM: disposes what is registered, newest first (bounded), then exits. */
export function disposeOnInterrupt(timeoutMs = 30_000): void {
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      console.error(`\n${signal}: removing what the bench created (${pending.size})…`);
      const all = (async () => {
        for (const dispose of [...pending].reverse()) await dispose().catch(() => undefined);
      })();
      const limit = new Promise((resolve) => setTimeout(resolve, timeoutMs).unref());
      void Promise.race([all, limit]).then(() => process.exit(signal === 'SIGINT' ? 130 : 143));
    });
  }
}
