import type { Row } from './row.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLOURS = ['#2b6cb0', '#c05621', '#2f855a', '#6b46c1', '#b7791f', '#718096'];

/**
 * A plain SVG of the load results: per scenario variant, one bar per side for
 * throughput (left panel) and p99 latency (right panel), each panel scaled to
 * its own maximum. Written as text: no charting dependency.
 */
export function renderChart(rows: Row[]): string {
  const loaded = rows.filter((r) => r.rps !== undefined && Number.isFinite(r.rps));
  const sides = [...new Set(loaded.map((r) => r.side))];
  const groups = [...new Set(loaded.map((r) => `${r.scenario} / ${r.variant}`))];
  const barHeight = 14;
  const groupHeight = sides.length
    ? Math.max(1, ...groups.map((g) => loaded.filter((r) => `${r.scenario} / ${r.variant}` === g).length)) * barHeight +
      14
    : 0;
  const label = 300;
  const panel = 330;
  const top = 50;
  const width = label + panel * 2 + 40;
  const height = top + groups.length * groupHeight + 20 + Math.ceil(sides.length / 3) * 18;
  const maxRps = Math.max(1, ...loaded.map((r) => r.rps!));
  const maxP99 = Math.max(1, ...loaded.map((r) => r.p99 ?? 0));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${label}" y="20" font-size="13" font-weight="bold">Throughput (req/s, higher is better)</text>`,
    `<text x="${label + panel + 20}" y="20" font-size="13" font-weight="bold">p99 latency (ms, lower is better)</text>`,
  ];
  groups.forEach((group, g) => {
    const y0 = top + g * groupHeight;
    out.push(`<text x="${label - 8}" y="${y0 + 11}" text-anchor="end">${escape(group)}</text>`);
    loaded
      .filter((r) => `${r.scenario} / ${r.variant}` === group)
      .forEach((row, i) => {
        const y = y0 + i * barHeight;
        const colour = COLOURS[sides.indexOf(row.side) % COLOURS.length];
        const w1 = ((row.rps ?? 0) / maxRps) * (panel - 60);
        const w2 = ((row.p99 ?? 0) / maxP99) * (panel - 60);
        out.push(
          `<rect x="${label}" y="${y}" width="${w1.toFixed(1)}" height="${barHeight - 3}" fill="${colour}"/>`,
          `<text x="${(label + w1 + 4).toFixed(1)}" y="${y + 10}">${Math.round(row.rps ?? 0)}</text>`,
          `<rect x="${label + panel + 20}" y="${y}" width="${w2.toFixed(1)}" height="${barHeight - 3}" fill="${colour}"/>`,
          `<text x="${(label + panel + 24 + w2).toFixed(1)}" y="${y + 10}">${(row.p99 ?? 0).toFixed(0)}</text>`,
        );
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
