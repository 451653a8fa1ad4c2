import {
  badUserInput,
  filter,
  notFound,
  pageSize,
  pipe,
  requireAdmin,
  requireOwnerOrAdmin,
  requireUuid,
  liveEvents,
  resolveLiveEvent,
  visibleOwner,
  type EventPayloads,
} from '@polystore/common';
import * as orders from '../store/orders.js';
import { freshLoaders, type SqlContext } from '../context.js';
import { creationConnection, decodeCreationCursor } from '../store/keyset.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { loadFresh } from '../loaders.js';
import { requireIntInRange } from '../validation.js';

const MAX_ITEMS = 100;

const reload = ({ loaders }: SqlContext, orderId: string) => loadFresh(loaders.order, orderId, 'order');

async function productIdsOf(context: SqlContext, orderId: string): Promise<string[]> {
  const items = (await context.loaders.itemsByOrderId.load(orderId)) ?? [];
  return items.map((item) => item.productId);
}

/** After a status change: the order, and the products whose stock a cancellation restored. */
const invalidateOrder = ({ loaders }: SqlContext, orderId: string, restockedProductIds: string[]) =>
  Promise.all([loaders.order.invalidate([orderId]), loaders.product.invalidate(restockedProductIds)]);

export const orderResolvers: Resolvers = {
  Query: {
    async order(_, { id }, { loaders, viewer }) {
      const order = await loaders.order.load(requireUuid(id));
      if (order) requireOwnerOrAdmin(viewer, order.userId, 'this order');
      return order;
    },
  },
  Mutation: {
    async placeOrder(_, { input }, context) {
      const userId = requireUuid(input.userId, 'userId');
      requireOwnerOrAdmin(context.viewer, userId, 'an order for this user');
      if (input.items.length === 0 || input.items.length > MAX_ITEMS) {
        throw badUserInput(`an order needs 1 to ${MAX_ITEMS} items`, { field: 'items' });
      }
      const items = input.items.map((item) => ({
        productId: requireUuid(item.productId, 'productId'),
        quantity: requireIntInRange(item.quantity, 'quantity', 1, 1000),
      }));
      const key = input.idempotencyKey ?? null;
      if (key !== null && (key.length < 1 || key.length > 200)) {
        throw badUserInput('idempotencyKey must have 1 to 200 characters', { field: 'idempotencyKey' });
      }
      const id = await orders.place(context.db, userId, items, key);
      await context.loaders.product.invalidate(items.map((item) => item.productId));
      return reload(context, id);
    },
    async updateOrderStatus(_, { input }, context) {
      requireAdmin(context.viewer, 'changing an order status');
      const orderId = requireUuid(input.orderId, 'orderId');
      await orders.updateStatus(context.db, orderId, input.status);
      const restocked = input.status === 'CANCELLED' ? await productIdsOf(context, orderId) : [];
      await invalidateOrder(context, orderId, restocked);
      return reload(context, orderId);
    },
    async cancelOrder(_, { input }, context) {
      const orderId = requireUuid(input.orderId, 'orderId');
      const order = await context.loaders.order.load(orderId);
      if (!order) throw notFound(`order ${orderId} does not exist`, { id: orderId });
      requireOwnerOrAdmin(context.viewer, order.userId, 'this order');
      await orders.cancel(context.db, orderId);
      await invalidateOrder(context, orderId, await productIdsOf(context, orderId));
      return reload(context, orderId);
    },
  },
  Subscription: {
    orderStatusChanged: {
      // A user hears only their own orders (admin: everyone's): a filter naming another
      // user or their order is FORBIDDEN at subscribe time, and events are kept to the owner.
      async subscribe(_, args, context) {
        const { viewer, loaders } = context;
        const orderId = args.orderId == null ? null : requireUuid(args.orderId, 'orderId');
        const userId = args.userId == null ? null : requireUuid(args.userId, 'userId');
        const owner = visibleOwner(viewer, 'subscribing to order events');
        if (userId) requireOwnerOrAdmin(viewer, userId, 'this order feed');
        // Whose order it is matters only to a checked, non-admin viewer: nobody else waits for the read.
        const order = orderId && owner ? await loaders.order.load(orderId) : undefined;
        if (order) requireOwnerOrAdmin(viewer, order.userId, 'this order');
        // Resumed after the stream position the gateway had, when it subscribes again (`liveEvents`).
        return pipe(
          liveEvents('OrderStatusChanged', context),
          filter(
            ({ payload: event }) =>
              (!orderId || event.orderId === orderId) &&
              (!userId || event.userId === userId) &&
              (!owner || event.userId === owner),
          ),
        );
      },
      // The status is the one this event announces (the order may have moved on
      // before delivery); other fields are read when the event is delivered, once per
      // event for all its subscribers, who share that event's loaders.
      resolve: resolveLiveEvent(freshLoaders, async (context, event: EventPayloads['OrderStatusChanged']) => ({
        ...(await reload(context, event.orderId)),
        status: event.to,
      })),
    },
  },
  Order: {
    // The same rule as order(id), whichever subgraph the reference came from (an asset's owner, say).
    async __resolveReference({ id }, { loaders, viewer }) {
      const order = await loaders.order.load(id);
      if (order) requireOwnerOrAdmin(viewer, order.userId, 'this order');
      return order;
    },
    user: async (order, _, { loaders }) => {
      const user = await loaders.user.load(order.userId);
      if (!user) throw notFound(`user ${order.userId} of order ${order.id} does not exist`);
      return user;
    },
    items: async (order, _, { loaders }) => (await loaders.itemsByOrderId.load(order.id)) ?? [],
    total: (order) => ({ amount: order.totalAmount, currency: order.currency }),
    history: (order, _, { loaders }) => loaders.historyByOrderId.load(order.id),
  },
  OrderItem: {
    product: async (item, _, { loaders }) => {
      const product = await loaders.product.load(item.productId);
      if (!product) throw notFound(`product ${item.productId} does not exist`);
      return product;
    },
    unitPrice: (item) => ({ amount: item.unitPriceAmount, currency: item.currency }),
    subtotal: (item) => ({ amount: item.unitPriceAmount * item.quantity, currency: item.currency }),
  },
  User: {
    orders(user, args, { loaders, viewer }) {
      requireOwnerOrAdmin(viewer, user.id, "this user's orders");
      const size = pageSize(args.first);
      const after = args.after ? decodeCreationCursor(args.after) : undefined;
      return loaders
        .ordersPage({ size, after })
        .load(user.id)
        .then((rows) => creationConnection(rows, size, () => loaders.orderCountByUserId.load(user.id)));
    },
    orderSummary(user, _, { loaders, viewer }) {
      requireOwnerOrAdmin(viewer, user.id, "this user's order summary");
      return loaders.orderSummaryByUserId.load(user.id);
    },
  },
};
