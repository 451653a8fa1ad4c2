import type { Row } from './row.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#718096', '#c53030', '#2c7a7b'];

/** One panel of the chart: a title and the figure of each row it draws (rows without one get no bar). */
interface Panel {
  title: string;
  value: (row: Row) => number | undefined;
}

const PANELS: Panel[] = [
  { title: 'Throughput (req/s, higher is better)', value: (row) => row.rps },
  { title: 'p99 latency (ms, lower is better)', value: (row) => row.p99 },
  { title: 'CPU per request (µs, lower is better)', value: (row) => row.cpuUs },
];

const finite = (value: number | undefined): value is number => value !== undefined && Number.isFinite(value);

/**
 * A plain SVG of the load results: per scenario variant, one bar per side for
 * throughput, p99 latency and CPU per request (the measured process's), each
 * panel scaled to its own maximum. Written as text: no charting dependency.
 */
export function renderChart(rows: Row[]): string {
  const loaded = rows.filter((r) => finite(r.rps));
  const sides = [...new Set(loaded.map((r) => r.side))];
  const groupOf = (r: Row) => `${r.scenario} / ${r.variant}`;
  const groups = [...new Set(loaded.map(groupOf))];
  const barHeight = 14;
  const groupHeight = Math.max(1, ...groups.map((g) => loaded.filter((r) => groupOf(r) === g).length)) * barHeight + 14;
  const label = 300;
  const panel = 300;
  const top = 50;
  const width = label + (panel + 20) * PANELS.length + 20;
  const height = top + groups.length * groupHeight + 20 + Math.ceil(sides.length / 3) * 18;
  const maxima = PANELS.map(({ value }) => Math.max(1, ...loaded.map(value).filter(finite)));
  const left = (p: number) => label + p * (panel + 20);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    ...PANELS.map(({ title }, p) => `<text x="${left(p)}" y="20" font-size="13" font-weight="bold">${title}</text>`),
  ];
  groups.forEach((group, g) => {
    const y0 = top + g * groupHeight;
    out.push(`<text x="${label - 8}" y="${y0 + 11}" text-anchor="end">${escape(group)}</text>`);
    loaded
      .filter((r) => groupOf(r) === group)
      .forEach((row, i) => {
        const y = y0 + i * barHeight;
        const colour = COLOURS[sides.indexOf(row.side) % COLOURS.length];
        PANELS.forEach(({ value }, p) => {
          const figure = value(row);
          if (!finite(figure)) return;
          const w = (figure / maxima[p]!) * (panel - 60);
          out.push(
            `<rect x="${left(p)}" y="${y}" width="${w.toFixed(1)}" height="${barHeight - 3}" fill="${colour}"/>`,
            `<text x="${(left(p) + w + 4).toFixed(1)}" y="${y + 10}">${Math.round(figure)}</text>`,
          );
        });
      });
  });
  const legendY = top + groups.length * groupHeight + 10;
  sides.forEach((side, i) => {
    const x = label + (i % 3) * 220;
    const y = legendY + Math.floor(i / 3) * 18;
    out.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${COLOURS[i % COLOURS.length]}"/>`,
      `<text x="${x + 16}" y="${y + 10}">${escape(side)}</text>`,
    );
  });
  out.push('</svg>\n');
  return out.join('\n');
}
