import type { ObjectId } from 'mongodb';

/** A Product as other subgraphs reference it: the key only. */
export interface ProductReference {
  id: string;
}

/** One document per product in `product_details`, keyed by the SQL product id. */
export interface ProductDetailsDocument {
  _id?: ObjectId;
  productId: string;
  description: string;
  category: string;
  tags: string[];
  attributes: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
}
