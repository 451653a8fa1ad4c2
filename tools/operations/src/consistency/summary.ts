import { FINDINGS, LEFTOVERS, type ConsistencyReport, type Tally } from './report.js';

const lines = (tally: Tally, heading: string): string[] =>
  tally.count === 0
    ? []
    : [
        `  ${tally.count} ${heading}`,
        ...tally.samples.map((id) => `      ${id}`),
        ...(tally.count > tally.samples.length ? ['      …'] : []),
      ];

/** The report for a person: what was read, each kind found with its direction and sample ids, then leftovers and events in flight. */
export function formatReport(report: ConsistencyReport): string {
  const { scanned, inFlight } = report;
  const out = [
    `Checked at ${report.checkedAt}: ${scanned.products} products, ${scanned.documents} product documents, ` +
      `${scanned.reviews} reviews, ${scanned.objects} objects, ${scanned.pendingUploads} pending uploads.`,
  ];
  const found = Object.entries(FINDINGS).flatMap(([kind, { direction, what }]) =>
    lines(report.findings[kind as keyof typeof FINDINGS], `${what} [${direction}]`),
  );
  out.push(report.clean ? 'Consistent: no reference points at nothing.' : 'Inconsistent:', ...found);
  const left = Object.entries(LEFTOVERS).flatMap(([kind, what]) =>
    lines(report.leftovers[kind as keyof typeof LEFTOVERS], what),
  );
  if (left.length > 0) out.push('Leftovers the upload sweep removes (not inconsistencies):', ...left);
  const unapplied = Object.entries(inFlight.unappliedEvents ?? {}).filter(([, count]) => count > 0);
  if (inFlight.unpublishedEvents > 0 || unapplied.length > 0) {
    out.push(
      'Changes in flight (findings may be these, not yet applied; check again):',
      ...(inFlight.unpublishedEvents > 0 ? [`  ${inFlight.unpublishedEvents} events still in the outbox`] : []),
      ...unapplied.map(([group, count]) => `  ${count} events not yet applied by ${group}`),
    );
  }
  if (inFlight.unappliedEvents === null) out.push('No REDIS_URL: the event stream was not checked.');
  return out.join('\n');
}
