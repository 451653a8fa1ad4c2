export * from './user.js';
export * from './product.js';
export * from './order.js';
import { OrderSchema } from './order.js';
import { ProductSchema } from './product.js';
import { UserSchema } from './user.js';

export const entities = [UserSchema, ProductSchema, OrderSchema];
