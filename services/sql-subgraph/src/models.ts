import type { Connection } from '@polystore/common';
import type { OrderEntity, ProductEntity, UserEntity } from './entities/index.js';

export type UserConnectionModel = Connection<UserEntity>;
export type UserEdgeModel = UserConnectionModel['edges'][number];
export type ProductConnectionModel = Connection<ProductEntity>;
export type ProductEdgeModel = ProductConnectionModel['edges'][number];
export type OrderConnectionModel = Connection<OrderEntity>;
export type OrderEdgeModel = OrderConnectionModel['edges'][number];
