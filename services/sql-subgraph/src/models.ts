import type { Connection } from '@polystore/common';
import type { ProductEntity, UserEntity } from './entities/index.js';

export type UserConnectionModel = Connection<UserEntity>;
export type UserEdgeModel = UserConnectionModel['edges'][number];
export type ProductConnectionModel = Connection<ProductEntity>;
export type ProductEdgeModel = ProductConnectionModel['edges'][number];
