/**
 * The sum of the samples of `name` on a `/metrics` page that carry every label
 * given (0 when none does): one series with its full labels, or a total over
 * the series a partial set of labels matches.
 */
export async function metricSum(
  metricsUrl: string,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const page = await (await fetch(metricsUrl)).text();
  return page
    .split('\n')
    .filter(
      (row) =>
        (row.startsWith(`${name}{`) || row.startsWith(`${name} `)) &&
        Object.entries(labels).every(([key, value]) => row.includes(`${key}="${value}"`)),
    )
    .reduce((sum, row) => sum + Number(row.slice(row.lastIndexOf(' ') + 1)), 0);
}
