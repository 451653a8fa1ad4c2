import { type ProductPageQuery } from './generated/graphql.js';
/**
 * A typed client call: the operation and its result type come from the
 * generated module, so a field the schema does not have fails to compile.
 */
export declare function fetchProductPage(gatewayUrl: string, id: string): Promise<ProductPageQuery['product']>;
