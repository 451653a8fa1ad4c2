import { GetObjectCommand } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { badUserInput, isUuid } from '@polystore/common';
import type { Resolvers } from '../generated/resolvers-types.js';
import { keyFromAssetId } from '../keys.js';
import type { AssetModel } from '../models.js';

export const assetResolvers: Resolvers = {
  Query: {
    asset(_, { id }, { loaders }) {
      const key = keyFromAssetId(id);
      if (!key) throw badUserInput('id is not an asset id', { argumentName: 'id' });
      return loaders.assetByKey.load(key);
    },
  },
  Asset: {
    __resolveReference({ id }, { loaders }) {
      const key = keyFromAssetId(id);
      return key ? loaders.assetByKey.load(key) : null;
    },
    // Signed per request: a URL is a short-lived credential, never cached.
    url: (asset, _, { s3 }) =>
      getSignedUrl(s3.presigner, new GetObjectCommand({ Bucket: s3.bucket, Key: asset.key }), {
        expiresIn: s3.urlTtlSeconds,
      }),
    urlExpiresAt: (_, __, { s3 }) => new Date(Date.now() + s3.urlTtlSeconds * 1000),
  },
  Product: {
    async images({ id }, _, { loaders }) {
      if (!isUuid(id)) return [];
      const keys = (await loaders.imageKeysByProductId.load(id)) ?? [];
      const assets = await loaders.assetByKey.loadMany(keys);
      // An object deleted between LIST and HEAD is skipped, not an error.
      return assets.filter((asset): asset is AssetModel => asset !== null && !(asset instanceof Error));
    },
  },
};
