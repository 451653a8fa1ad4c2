import type { Knobs } from './knobs.js';
import { load, type LoadResult } from './load.js';
import type { Measured } from './process.js';
import type { Row } from './row.js';
import { median } from './stats.js';

export interface Side {
  /** Shown in the table, e.g. "polystore" or "@apollo/gateway". */
  name: string;
  url: string;
  /** The process whose CPU and memory are measured (the gateway). */
  component?: Measured;
  /** Sent with every request to this side (for example a token). */
  headers?: Record<string, string>;
}

interface Sample extends LoadResult {
  cpu: number;
  cpuUs: number;
}

/**
 * Loads each side `runs` times with the same bodies, alternating which goes
 * first (so warm-up and drift favour neither), a warm-up before every counted
 * run, and reports each side's median. CPU is the measured process's cores in
 * use during the counted run (1.0 = one core busy); peak RSS its high-water mark.
 */
export async function compareSides(
  scenario: string,
  variant: string,
  sides: Side[],
  bodies: string[],
  knobs: Knobs,
  /** A side that needs other request bodies (a signed request straight to a subgraph), by side name. */
  bodiesFor: Record<string, string> = {},
): Promise<Row[]> {
  const samples = new Map<string, Sample[]>(sides.map((side) => [side.name, []]));
  for (let run = 0; run < knobs.runs; run++) {
    const order = run % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const sideBodies = bodiesFor[side.name] ? [bodiesFor[side.name]!] : bodies;
      if (knobs.warmupSeconds > 0)
        await load(side.url, sideBodies, { ...knobs, seconds: knobs.warmupSeconds }, side.headers);
      const cpuBefore = side.component?.cpuSeconds() ?? NaN;
      const started = performance.now();
      const result = await load(side.url, sideBodies, knobs, side.headers);
      const elapsed = (performance.now() - started) / 1000;
      const cpuSeconds = (side.component?.cpuSeconds() ?? NaN) - cpuBefore;
      const cpu = cpuSeconds / elapsed;
      const cpuUs = (cpuSeconds * 1e6) / result.answered;
      samples.get(side.name)!.push({ ...result, cpu, cpuUs });
      process.stderr.write(
        `  ${scenario}/${variant} run ${run + 1}/${knobs.runs} ${side.name}: ${result.rps.toFixed(0)} req/s p50 ${result.p50} ms p99 ${result.p99} ms ${cpuUs.toFixed(0)} CPU µs/req${result.errors ? ` ERRORS ${result.errors}` : ''}\n`,
      );
    }
  }
  return sides.map((side) => {
    const results = samples.get(side.name)!;
    const pick = (key: keyof Sample) => median(results.map((r) => r[key]));
    return {
      scenario,
      variant,
      side: side.name,
      rps: pick('rps'),
      p50: pick('p50'),
      p99: pick('p99'),
      mean: pick('mean'),
      cpu: pick('cpu'),
      cpuUs: pick('cpuUs'),
      peakRssMiB: side.component?.peakRssMiB(),
      errors: results.reduce((sum, r) => sum + r.errors, 0),
      runs: results.length,
    };
  });
}

/** "4.2x": the first side's throughput over the second's (or another figure's ratio). */
export const ratio = (ours: Row, theirs: Row, key: 'rps' | 'p50' | 'p99' | 'mean' | 'cpuUs' = 'rps') =>
  Number(((ours[key] ?? NaN) / (theirs[key] ?? NaN)).toFixed(2));
