import type { OrderStatus } from '../entities/index.js';

/** Domain events as the outbox triggers write them (the payload column). */
export interface OrderPlacedEvent {
  orderId: string;
  userId: string;
  status: OrderStatus;
  total: { amount: number; currency: string };
}

export interface OrderStatusChangedEvent {
  orderId: string;
  userId: string;
  from: OrderStatus;
  to: OrderStatus;
}

export interface InventoryChangedEvent {
  productId: string;
  stock: number;
  delta: number;
}

export interface ProductDeletedEvent {
  productId: string;
  sku: string;
}

export interface UserDeletedEvent {
  userId: string;
}

/** Pub/sub topics the subscriptions listen to; the outbox relay publishes them. */
export type SqlEvents = {
  OrderStatusChanged: [OrderStatusChangedEvent];
  InventoryChanged: [InventoryChangedEvent];
};
