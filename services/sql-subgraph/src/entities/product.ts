import { EntitySchema } from 'typeorm';

export interface ProductEntity {
  id: string;
  sku: string;
  name: string;
  priceAmount: number;
  priceCurrency: string;
  stock: number;
  createdAt: Date;
  updatedAt: Date;
}

export const ProductSchema = new EntitySchema<ProductEntity>({
  name: 'Product',
  tableName: 'products',
  columns: {
    id: { type: 'uuid', primary: true, generated: 'uuid' },
    sku: { type: 'text' },
    name: { type: 'text' },
    priceAmount: { type: 'integer', name: 'price_amount' },
    priceCurrency: { type: 'text', name: 'price_currency' },
    stock: { type: 'integer' },
    createdAt: { type: 'timestamptz', name: 'created_at', createDate: true },
    updatedAt: { type: 'timestamptz', name: 'updated_at', updateDate: true },
  },
});
