import cliProgress from 'cli-progress';

/** One long step's progress: a bar on a terminal, nothing elsewhere (tests, cron, pipes). */
export interface ProgressBar {
  /** One more item done; `detail` names it. */
  increment(detail?: string): void;
  /** The total grows (a listing found more objects). */
  grow(by: number): void;
  stop(): void;
}

export interface Progress {
  bar(step: string, total: number): ProgressBar;
}

const silentBar: ProgressBar = { increment() {}, grow() {}, stop() {} };

/** Bars on stderr when it is a terminal (the seed's look), else silent. */
export function progressOn(stream: NodeJS.WriteStream | null): Progress {
  if (!stream?.isTTY) return { bar: () => silentBar };
  return {
    bar(step, total) {
      const bar = new cliProgress.SingleBar(
        { format: `${step} [{bar}] {value}/{total} {detail}`, stream, clearOnComplete: false },
        cliProgress.Presets.shades_classic,
      );
      bar.start(total, 0, { detail: '' });
      let size = total;
      return {
        increment: (detail = '') => bar.increment(1, { detail }),
        grow: (by) => bar.setTotal((size += by)),
        stop: () => bar.stop(),
      };
    },
  };
}
