/** One line of results: a side of a scenario variant, or a count. */
export interface Row {
  scenario: string;
  variant: string;
  side: string;
  rps?: number;
  p50?: number;
  p99?: number;
  /** Mean latency, ms. */
  mean?: number;
  /** Cores in use by the measured process during the counted runs. */
  cpu?: number;
  /**
   * CPU microseconds the measured process spent per answered request over the
   * counted runs (/proc utime + stime): unlike req/s and latency, it does not move
   * with what else the machine runs or how each side copes with saturation.
   */
  cpuUs?: number;
  peakRssMiB?: number;
  errors?: number;
  runs?: number;
  /** Anything else the scenario measures (ratios, counts, hit rates), by name. */
  extra?: Record<string, number | string | boolean>;
}
