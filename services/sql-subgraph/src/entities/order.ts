import { EntitySchema } from 'typeorm';
import { ORDER_STATUSES, type OrderStatus } from '@polystore/common';

export type { OrderStatus };

export interface OrderEntity {
  id: string;
  userId: string;
  status: OrderStatus;
  totalAmount: number;
  currency: string;
  createdAt: Date;
  updatedAt: Date;
}

/** bigint arrives from pg as a string; order totals stay far below 2^53. */
const bigintAsNumber = {
  from: (value: string | null) => (value === null ? null : Number(value)),
  to: (value: number) => value,
};

export const OrderSchema = new EntitySchema<OrderEntity>({
  name: 'Order',
  tableName: 'orders',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    userId: { type: 'uuid', name: 'user_id' },
    status: { type: 'enum', enum: [...ORDER_STATUSES], enumName: 'order_status' },
    totalAmount: { type: 'bigint', name: 'total_amount', transformer: bigintAsNumber },
    currency: { type: 'text' },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});

/** One line of an order, with the order's currency so prices can be shown alone. */
export interface OrderItemModel {
  orderId: string;
  productId: string;
  quantity: number;
  unitPriceAmount: number;
  currency: string;
}

export interface OrderStatusChangeModel {
  orderId: string;
  from: OrderStatus | null;
  to: OrderStatus;
  changedAt: Date;
}

export interface OrderSummaryModel {
  orderCount: number;
  totalSpent: { amount: number; currency: string }[];
  lastOrderAt: Date | null;
}
