/**
 * What the consistency checker reports: every kind of inconsistency it looks
 * for, in which direction it reads, and how many it found with a few ids of
 * each. docs/operations.md lists the same kinds.
 */

/** Inconsistencies: any of these makes the stores not clean (exit code 1). */
export const FINDINGS = {
  productsWithoutSearchDocument: {
    direction: 'PostgreSQL → MongoDB',
    what: 'products without their product_details document (every product has one: its search document)',
  },
  staleSearchCopies: {
    direction: 'PostgreSQL → MongoDB',
    what: "search documents whose copy of the product's name or sku differs from PostgreSQL's",
  },
  documentsOfMissingProducts: {
    direction: 'MongoDB → PostgreSQL',
    what: 'product_details documents (details and search copies) of products that do not exist',
  },
  reviewsOfMissingProducts: { direction: 'MongoDB → PostgreSQL', what: 'reviews of products that do not exist' },
  reviewsByMissingUsers: { direction: 'MongoDB → PostgreSQL', what: 'reviews by users that do not exist' },
  staleRatingCopies: {
    direction: 'MongoDB reviews → product_details',
    what: "rating copies (average, count) that differ from the product's reviews",
  },
  detailsInMissingCategories: {
    direction: 'MongoDB product_details → categories',
    what: 'details written in a category that does not exist',
  },
  imagesOfMissingProducts: { direction: 'S3 → PostgreSQL', what: 'product images of products that do not exist' },
  avatarsOfMissingUsers: { direction: 'S3 → PostgreSQL', what: 'avatars of users that do not exist' },
  attachmentsOfMissingOrders: { direction: 'S3 → PostgreSQL', what: 'order attachments of orders that do not exist' },
  markersWithoutUpload: {
    direction: 'S3 → S3',
    what: 'pending markers without an upload record: they hide an object and no sweep ever finds them',
  },
  objectsOutsideKeyScheme: { direction: 'S3', what: 'objects under keys the storage-subgraph never issues' },
  deadLetters: {
    direction: 'Redis',
    what: 'domain events no consumer could apply (the dead-letter stream): a change some store never saw',
  },
} as const;
export type FindingKind = keyof typeof FINDINGS;

/** What the upload sweep removes by itself: reported apart, they do not make the stores unclean. */
export const LEFTOVERS = {
  expiredUploads: 'uploads never completed, past their expiry (their record, marker and bytes)',
  bytesWithoutUpload: 'uploaded bytes whose upload is over (a presigned PUT replayed after it)',
  unreadableUploadRecords: 'objects under pending/ that are no upload record of the service',
} as const;
export type LeftoverKind = keyof typeof LEFTOVERS;

/** How many of one kind, and up to `samples` of their ids (a product id, a review id, an object key). */
export interface Tally {
  count: number;
  samples: string[];
}

export interface ConsistencyReport {
  checkedAt: string;
  /** No finding (leftovers and events in flight do not count). */
  clean: boolean;
  findings: Record<FindingKind, Tally>;
  leftovers: Record<LeftoverKind, Tally>;
  /** What was read: rows, documents, objects. */
  scanned: { products: number; documents: number; reviews: number; objects: number; pendingUploads: number };
  /**
   * Changes on their way between the stores when the check ran: events not yet
   * on the stream, and per consumer group those not yet applied (null without
   * Redis). A finding may be one of these, not yet applied: check again.
   */
  inFlight: { unpublishedEvents: number; unappliedEvents: Record<string, number> | null };
}

/** Counts findings and leftovers as the checks go, keeping the first `samples` ids of each kind. */
export class Tallies {
  readonly findings = tallies(FINDINGS);
  readonly leftovers = tallies(LEFTOVERS);

  constructor(private readonly samples: number) {}

  found(kind: FindingKind, id: string): void {
    this.add(this.findings[kind], id);
  }

  left(kind: LeftoverKind, id: string): void {
    this.add(this.leftovers[kind], id);
  }

  /** `count` more of a kind whose ids come separately (a stream's length). */
  foundMany(kind: FindingKind, count: number, ids: readonly string[]): void {
    const tally = this.findings[kind];
    tally.count += count;
    tally.samples.push(...ids.slice(0, Math.max(0, this.samples - tally.samples.length)));
  }

  get clean(): boolean {
    return Object.values(this.findings).every((tally) => tally.count === 0);
  }

  private add(tally: Tally, id: string): void {
    tally.count++;
    if (tally.samples.length < this.samples) tally.samples.push(id);
  }
}

function tallies<K extends string>(kinds: Record<K, unknown>): Record<K, Tally> {
  const empty = (): Tally => ({ count: 0, samples: [] });
  return Object.fromEntries(Object.keys(kinds).map((kind) => [kind, empty()])) as Record<K, Tally>;
}
