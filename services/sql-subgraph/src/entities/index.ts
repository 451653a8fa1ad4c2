export * from './user.js';
export * from './product.js';
import { ProductSchema } from './product.js';
import { UserSchema } from './user.js';

export const entities = [UserSchema, ProductSchema];
