import type { Document } from 'mongodb';

/**
 * The keyset condition of a list sorted on `fields`, each descending: rows
 * after the one whose values are `values` (one `$or` branch per field: equal on
 * the fields before it, below on it). The review pages and the product search
 * both page this way; an index on the fields in this order serves it.
 */
export function afterKey(fields: readonly string[], values: readonly unknown[]): Document {
  return {
    $or: fields.map((field, i) => ({
      ...Object.fromEntries(fields.slice(0, i).map((earlier, j) => [earlier, values[j]])),
      [field]: { $lt: values[i] },
    })),
  };
}
