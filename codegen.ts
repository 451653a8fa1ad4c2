import type { CodegenConfig } from '@graphql-codegen/cli';

type Mappers = Record<string, string>;

/** Resolver types for one subgraph, generated from its schema.graphql. */
function subgraph(dir: string, contextType: string, mappers: Mappers) {
  return {
    [`${dir}/src/generated/resolvers-types.ts`]: {
      schema: `${dir}/schema.graphql`,
      plugins: ['typescript', 'typescript-resolvers'],
      config: {
        federation: true,
        contextType,
        mappers,
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: false, defaultValue: false },
        scalars: { DateTime: 'Date | string', JSON: 'unknown' },
      },
    },
  };
}

const config: CodegenConfig = {
  overwrite: true,
  generates: {
    ...subgraph('services/sql-subgraph', '../context.js#SqlContext', {
      User: '../entities/index.js#UserEntity',
      Product: '../entities/index.js#ProductEntity',
      UserConnection: '../models.js#UserConnectionModel',
      ProductConnection: '../models.js#ProductConnectionModel',
      UserEdge: '../models.js#UserEdgeModel',
      ProductEdge: '../models.js#ProductEdgeModel',
      Order: '../entities/index.js#OrderEntity',
      OrderItem: '../entities/index.js#OrderItemModel',
      OrderStatusChange: '../entities/index.js#OrderStatusChangeModel',
      OrderSummary: '../entities/index.js#OrderSummaryModel',
      OrderConnection: '../models.js#OrderConnectionModel',
      OrderEdge: '../models.js#OrderEdgeModel',
    }),
    ...subgraph('services/mongo-subgraph', '../context.js#MongoContext', {
      Product: '../models.js#ProductReference',
      ProductDetails: '../models.js#ProductDetailsDocument',
    }),
    ...subgraph('services/storage-subgraph', '../context.js#StorageContext', {
      Product: '../models.js#ProductReference',
      Asset: '../models.js#AssetModel',
    }),
  },
};

export default config;
