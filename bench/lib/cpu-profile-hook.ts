/**
 * Loaded with `--import` into each stack process when BENCH_CPU_PROFILE is set
 * (`--cpu-prof` is not allowed in NODE_OPTIONS): profiles the whole process and
 * writes `<dir>/<service>-<pid>.cpuprofile` when it exits.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { join } from 'node:path';

const dir = process.env.BENCH_CPU_PROFILE;
if (dir) {
  const session = new Session();
  session.connect();
  session.post('Profiler.enable');
  session.post('Profiler.start');
  process.on('exit', () => {
    // An in-thread inspector session answers synchronously, so this completes before exit.
    session.post('Profiler.stop', (err, result) => {
      if (err) return;
      const name = (process.argv[1] ?? 'process').split('/').slice(-3).join('_').replace(/\W/g, '_');
      writeFileSync(join(dir, `${name}-${process.pid}.cpuprofile`), JSON.stringify(result.profile));
    });
  });
}
