/**
 * Bench knobs, read once from the environment and checked: a value out of
 * range is refused with a message naming the variable, before anything starts.
 */
export class KnobError extends Error {
  override name = 'KnobError';
}

interface KnobSpec {
  variable: string;
  default: number;
  min: number;
  max: number;
  integer: boolean;
  help: string;
}

const SPECS = {
  seconds: { variable: 'BENCH_SECONDS', default: 5, min: 1, max: 120, integer: false, help: 'seconds per counted run' },
  warmupSeconds: {
    variable: 'BENCH_WARMUP_SECONDS',
    default: 2,
    min: 0,
    max: 60,
    integer: false,
    help: 'seconds of uncounted load before each side',
  },
  connections: {
    variable: 'BENCH_CONNECTIONS',
    default: 50,
    min: 1,
    max: 1000,
    integer: true,
    help: 'concurrent HTTP connections',
  },
  runs: { variable: 'BENCH_RUNS', default: 3, min: 1, max: 15, integer: true, help: 'runs per side (median reported)' },
  subscribers: {
    variable: 'BENCH_MAX_SUBSCRIBERS',
    default: 10_000,
    min: 1,
    max: 20_000,
    integer: true,
    help: 'largest subscriber count tried',
  },
  events: {
    variable: 'BENCH_EVENTS',
    default: 20,
    min: 1,
    max: 1000,
    integer: true,
    help: 'events published per subscription run',
  },
  soakSeconds: {
    variable: 'BENCH_SOAK_SECONDS',
    default: 240,
    min: 10,
    max: 1800,
    integer: true,
    help: 'seconds the soak runs its mixed load',
  },
} satisfies Record<string, KnobSpec>;

export type Knobs = { [K in keyof typeof SPECS]: number };

export function readKnobs(env: NodeJS.ProcessEnv = process.env): Knobs {
  const knobs = {} as Knobs;
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(SPECS) as [keyof Knobs, KnobSpec][]) {
    const raw = env[spec.variable];
    const value = raw === undefined || raw === '' ? spec.default : Number(raw);
    if (!Number.isFinite(value) || value < spec.min || value > spec.max || (spec.integer && !Number.isInteger(value))) {
      problems.push(
        `${spec.variable}=${raw}: must be ${spec.integer ? 'an integer' : 'a number'} from ${spec.min} to ${spec.max} (${spec.help})`,
      );
      continue;
    }
    knobs[key] = value;
  }
  if (problems.length) throw new KnobError(`bad bench knob:\n  ${problems.join('\n  ')}`);
  return knobs;
}

export const knobHelp = () =>
  Object.values(SPECS as Record<string, KnobSpec>)
    .map((s) => `  ${s.variable.padEnd(22)} ${s.help} (default ${s.default}, ${s.min}..${s.max})`)
    .join('\n');
