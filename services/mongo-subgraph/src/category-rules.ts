import { badUserInput } from '@polystore/common';
import type { CategoryDocument, ProductDetailsDocument } from './models.js';
import * as categories from './store/categories.js';
import type { MongoStore } from './store/collections.js';
import * as productDetails from './store/product-details.js';
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
  for await (const { attributes } of productDetails.attributesInCategory(store, category.slug)) {
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
  const category = await categories.bySlug(store, written.category);
  const problem = category
    ? attributeProblem(category, written.attributes)
    : { attribute: undefined, message: `category ${written.category} was deleted meanwhile` };
  if (!problem) return;
  await productDetails.undoDetails(store, written, before);
  throw badUserInput(`${problem.message} (the category changed while the details were written)`, {
    field: problem.attribute ? 'attributes' : 'category',
    ...(problem.attribute ? { attribute: problem.attribute } : {}),
  });
}
