import DataLoader from 'dataloader';
import {
  notFound,
  readFromOwner,
  requireAdmin,
  requireOwnerOrAdmin,
  requireSignedIn,
  type OwnerQueryOptions,
  type Viewer,
} from '@polystore/common';
import type { OwnerType } from './store/keys.js';

/** The user each order belongs to (null: no such order), per request. */
export type OrderOwnerLoader = DataLoader<string, string | null>;

/**
 * Reads whose orders are, from the sql-subgraph that owns them (the shared
 * `readFromOwner`): one request per batch of order ids, answered from its
 * loaders and Redis cache. Orders never change hands, so the answer is safe
 * to reuse for the whole request.
 */
export function createOrderOwners(options: OwnerQueryOptions) {
  return {
    loader: (): OrderOwnerLoader =>
      new DataLoader(
        async (orderIds) => {
          const orders = await readFromOwner<{ user: { id: string } }>(options, 'Order', orderIds, 'user { id }');
          return orders.map((order) => order?.user.id.toLowerCase() ?? null);
        },
        { cacheKeyFn: (id) => id.toLowerCase() },
      ),
  };
}

export type OrderOwners = ReturnType<typeof createOrderOwners>;

export interface Ownership {
  viewer: Viewer;
  orderOwners: OrderOwnerLoader;
}

/**
 * Who may add, complete or delete an owner's assets: product images need
 * the admin scope, a user's avatar is that user's, an order's attachments
 * belong to the order's owner; an admin may act for anyone. UNAUTHENTICATED
 * without a user, FORBIDDEN for another, NOT_FOUND for an order that does
 * not exist. Nothing is read when the service does not check (no signing secret).
 */
export async function requireManageRight(
  { viewer, orderOwners }: Ownership,
  ownerType: OwnerType,
  ownerId: string,
  what: string,
): Promise<void> {
  if (!viewer.enforced || viewer.admin) return;
  if (ownerType === 'products') return requireAdmin(viewer, what);
  if (ownerType === 'users') return requireOwnerOrAdmin(viewer, ownerId, what);
  // Refuse the anonymous before asking anyone whose the order is.
  requireSignedIn(viewer, what);
  const userId = await orderOwners.load(ownerId);
  if (userId === null) throw notFound(`order ${ownerId} does not exist`, { type: 'Order', id: ownerId });
  requireOwnerOrAdmin(viewer, userId, what);
}

/**
 * Who may read an owner's assets (the assets, their URLs, an order's list):
 * product images and avatars are public, like the catalog and profiles they
 * show; an order's attachments (invoices, receipts) only its owner's or an
 * admin's, or another subgraph's signed service read.
 */
export async function requireReadRight(ownership: Ownership, ownerType: OwnerType, ownerId: string, what: string) {
  if (ownerType === 'orders' && !ownership.viewer.service)
    await requireManageRight(ownership, ownerType, ownerId, what);
}
