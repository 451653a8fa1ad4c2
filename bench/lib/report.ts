import { mkdir, writeFile } from 'node:fs/promises';
import { arch, cpus, totalmem } from 'node:os';
import { renderChart } from './chart.js';
import type { Row } from './row.js';

const RESULTS = new URL('../results/', import.meta.url);

const fmt = (value: number | undefined, digits = 0) =>
  value === undefined || Number.isNaN(value) ? '' : value.toFixed(digits);

export function table(rows: Row[]): string {
  const header = [
    'scenario',
    'variant',
    'side',
    'req/s',
    'p50 ms',
    'p99 ms',
    'cpu',
    'cpu µs/req',
    'peak MiB',
    'err',
    'other',
  ];
  const lines = rows.map((r) => [
    r.scenario,
    r.variant,
    r.side,
    fmt(r.rps),
    fmt(r.p50, 1),
    fmt(r.p99, 1),
    fmt(r.cpu, 2),
    fmt(r.cpuUs),
    fmt(r.peakRssMiB),
    r.errors === undefined ? '' : String(r.errors),
    Object.entries(r.extra ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join(' '),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) =>
    cells.map((c, i) => (i >= 3 && i <= 9 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ');
  return [render(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(render)].join('\n');
}

export function machine() {
  return {
    cpus: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    arch: arch(),
    node: process.version,
  };
}

/**
 * Writes results/<timestamp>.json; a run of every scenario also replaces
 * results/latest.json and the chart results/latest.svg (what the docs show).
 */
export async function writeResults(rows: Row[], meta: Record<string, unknown>, complete: boolean): Promise<string[]> {
  await mkdir(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const json = `${JSON.stringify({ ...meta, machine: machine(), rows }, null, 2)}\n`;
  const files = [new URL(`${stamp}.json`, RESULTS), new URL('latest.json', RESULTS), new URL('latest.svg', RESULTS)];
  await writeFile(files[0]!, json);
  if (!complete) return [files[0]!.pathname];
  await writeFile(files[1]!, json);
  await writeFile(files[2]!, renderChart(rows));
  return files.map((f) => f.pathname);
}
