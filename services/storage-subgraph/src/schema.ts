import { buildFederatedSchema, readTypeDefs } from '@polystore/common';
import { resolvers } from './resolvers/index.js';

export const typeDefs = readTypeDefs(new URL('../schema.graphql', import.meta.url));

export const buildSchema = () => buildFederatedSchema(typeDefs, resolvers);
