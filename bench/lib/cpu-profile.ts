/** `--cpu-prof` into BENCH_CPU_PROFILE for a measured process's Node, when set (else nothing). */
export const cpuProfileArgs = (): string[] => {
  const dir = process.env.BENCH_CPU_PROFILE;
  return dir ? ['--cpu-prof', `--cpu-prof-dir=${dir}`] : [];
};
