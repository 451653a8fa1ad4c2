/** One probe's outcome: when it started and ended, and whether it succeeded. */
interface ProbeResult {
  start: number;
  end: number;
  ok: boolean;
}

/** A failover as the probes saw it. */
export interface Gap {
  /** From the kill to the end of the last failed request that was in flight or started after it; 0: none failed. */
  refusedMs: number;
  /** From the kill to the first request started after it that succeeded. */
  firstSuccessMs: number;
  failed: number;
  probes: number;
}

/**
 * Sends `probe` back to back (10 ms apart) from 300 ms before `kill` until
 * `observeMs` after it, and measures the window in which requests failed.
 * Bounded: a probe must settle within `probe`'s own timeout.
 */
export async function measureGap(
  probe: () => Promise<boolean>,
  kill: () => Promise<number>,
  observeMs = 3_000,
): Promise<Gap> {
  const results: ProbeResult[] = [];
  const killed: { at?: number } = {};
  const probing = (async () => {
    while (killed.at === undefined || Date.now() < killed.at + observeMs) {
      const start = Date.now();
      const ok = await probe().catch(() => false);
      results.push({ start, end: Date.now(), ok });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const killedAt = (killed.at = await kill());
  await probing;
  const after = results.filter(({ end }) => end >= killedAt);
  const failed = after.filter(({ ok }) => !ok);
  const firstSuccess = after.find(({ start, ok }) => ok && start >= killedAt);
  return {
    refusedMs: failed.length ? Math.max(...failed.map(({ end }) => end)) - killedAt : 0,
    firstSuccessMs: firstSuccess ? firstSuccess.end - killedAt : Infinity,
    failed: failed.length,
    probes: after.length,
  };
}

/** The middle value of an odd number of trials (the lower middle of an even number). */
export function median(trials: number[]): number {
  const ordered = trials.toSorted((a, b) => a - b);
  return ordered[(ordered.length - 1) >> 1]!;
}
