import { badUserInput } from '@polystore/common';
import type { MongoStore } from './db.js';
import type { CategoryDocument, ProductDetailsDocument } from './models.js';
import { attributeProblem } from './validation.js';

/**
 * Stored details always satisfy their category. Each write checks before it
 * writes; and because a category change and a details write can each pass
 * their check against the other's old state, each also checks *after* it
 * writes and undoes itself if the other got in: of two such writers at least
 * one sees the other (each writes, then reads what the other writes), so no
 * violating pair survives. The undo is conditional on the write still being
 * the latest (its `updatedAt`), so it never undoes someone else's later write.
 */

export interface CategoryViolation {
  attribute: string;
  message: string;
  /** How many products' details it rejects. */
  products: number;
}

/** Which attributes of `category` the stored details of that category break, with how many products each. */
export async function violationsOf(store: MongoStore, category: CategoryDocument): Promise<CategoryViolation[]> {
  const byAttribute = new Map<string, CategoryViolation>();
  // One pass over the category's details (the category index), only their attributes.
  const cursor = store.productDetails.find(
    { category: category.slug },
    { projection: { _id: 0, attributes: 1 }, batchSize: 1000 },
  );
  for await (const { attributes } of cursor) {
    const problem = attributeProblem(category, attributes ?? {});
    if (!problem) continue;
    const counted = byAttribute.get(problem.attribute) ?? { ...problem, products: 0 };
    counted.products++;
    byAttribute.set(problem.attribute, counted);
  }
  return [...byAttribute.values()];
}

/** BAD_USER_INPUT naming the first attribute at fault and how many products it would break. */
export function requireNoViolations(category: CategoryDocument, violations: CategoryViolation[]): void {
  const [first] = violations;
  if (!first) return;
  const products = first.products === 1 ? '1 product' : `${first.products} products`;
  throw badUserInput(`changing category ${category.slug} would break the details of ${products}: ${first.message}`, {
    field: 'attributes',
    attribute: first.attribute,
    products: first.products,
  });
}

/** Puts a category back as it was before our write, unless someone wrote it since. */
export async function restoreCategory(
  store: MongoStore,
  written: CategoryDocument,
  before: CategoryDocument | null,
): Promise<void> {
  const ours = { slug: written.slug, updatedAt: written.updatedAt };
  if (before) await store.categories.updateOne(ours, { $set: before });
  else await store.categories.deleteOne(ours);
}

const DETAILS_FIELDS = ['description', 'category', 'tags', 'attributes', 'createdAt', 'updatedAt'] as const;

/**
 * After a details write: reads the category from MongoDB (not the cache) and,
 * if it was deleted or changed meanwhile so that these attributes break it,
 * puts the product's details back as they were and fails with BAD_USER_INPUT.
 */
export async function recheckWrittenDetails(
  store: MongoStore,
  written: { productId: string; category: string; attributes: Record<string, unknown>; updatedAt: Date },
  before: ProductDetailsDocument,
): Promise<void> {
  const category = await store.categories.findOne({ slug: written.category }, { projection: { _id: 0 } });
  const problem = category
    ? attributeProblem(category, written.attributes)
    : { attribute: undefined, message: `category ${written.category} was deleted meanwhile` };
  if (!problem) return;
  const ours = { productId: written.productId, updatedAt: written.updatedAt };
  if (before.description === undefined) {
    await store.productDetails.updateOne(ours, {
      $unset: Object.fromEntries(DETAILS_FIELDS.map((field) => [field, ''])),
    });
  } else {
    await store.productDetails.updateOne(ours, {
      $set: Object.fromEntries(
        DETAILS_FIELDS.filter((field) => before[field] !== undefined).map((field) => [field, before[field]]),
      ),
    });
  }
  throw badUserInput(`${problem.message} (the category changed while the details were written)`, {
    field: problem.attribute ? 'attributes' : 'category',
    ...(problem.attribute ? { attribute: problem.attribute } : {}),
  });
}
