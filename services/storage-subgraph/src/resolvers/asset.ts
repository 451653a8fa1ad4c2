import {
  badUserInput,
  filter,
  isUuid,
  liveEvents,
  notFound,
  pipe,
  requireUuid,
  resolveLiveEvent,
  type EventPayloads,
} from '@polystore/common';
import { ownerCacheId } from '../cache.js';
import { freshLoaders, type StorageContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { keyFromAssetId } from '../store/keys.js';
import { presignedGetUrl } from '../store/objects.js';
import type { AssetModel } from '../models.js';
import { requireReadRight } from '../ownership.js';
import { ENUM_BY_OWNER_TYPE } from '../rules.js';

/** Bounds of Asset.url(expiresIn): SigV4 presigned URLs live at most 7 days. */
export const URL_EXPIRY_RANGE = { min: 1, max: 604_800 } as const;

const OWNER_TYPENAME = { products: 'Product', users: 'User', orders: 'Order' } as const;

/** The key an asset id stands for; a forged id is the client's mistake. */
export function requireAssetKey(id: string, argumentName: string): string {
  const key = keyFromAssetId(id);
  if (!key) throw badUserInput(`${argumentName} is not an asset id`, { argumentName });
  return key;
}

/**
 * RFC 6266 Content-Disposition with the filename twice: an ASCII fallback for
 * old clients and the exact name in RFC 5987 `filename*` (UTF-8, percent-encoded).
 */
export function contentDisposition(filename: string, contentType: string): string {
  const kind = contentType.startsWith('image/') && contentType !== 'image/svg+xml' ? 'inline' : 'attachment';
  const fallback = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

const ownerAssets = (context: StorageContext, ownerType: AssetModel['ownerType'], ownerId: string) =>
  isUuid(ownerId)
    ? context.loaders.ownerAssets.load(ownerCacheId(ownerType, ownerId.toLowerCase())).then((assets) => assets ?? [])
    : Promise.resolve([]);

/**
 * An asset as its reader may see it: an order attachment (its name, size, owner)
 * is the order's owner's or an admin's, whether asked by id or by reference.
 */
async function readable(context: StorageContext, asset: AssetModel | null | undefined) {
  if (asset) await requireReadRight(context, asset.ownerType, asset.ownerId, 'this order attachment');
  return asset ?? null;
}

export const assetResolvers: Resolvers = {
  Query: {
    asset: async (_, { id }, context) => readable(context, await context.loaders.asset.load(requireAssetKey(id, 'id'))),
  },
  Subscription: {
    assetUploaded: {
      async subscribe(_, args, context) {
        const ownerId = requireUuid(args.ownerId, 'ownerId');
        // The id alone does not say what it owns: an order's events are its owner's (or an admin's).
        if (context.viewer.enforced && (await context.orderOwners.load(ownerId)) !== null)
          await requireReadRight(context, 'orders', ownerId, "this order's attachments");
        // Resumed after the stream position the gateway had, when it subscribes again (`liveEvents`).
        return pipe(
          liveEvents('AssetUploaded', context),
          filter(({ payload }) => payload.ownerId === ownerId),
        );
      },
      // The asset as it is now, read once per event for all its subscribers.
      resolve: resolveLiveEvent(freshLoaders, async (context, { key }: EventPayloads['AssetUploaded']) => {
        const asset = await context.loaders.asset.load(key);
        if (!asset) throw notFound('the uploaded asset is gone', { key });
        return asset;
      }),
    },
  },
  Asset: {
    async __resolveReference({ id }, context) {
      const key = keyFromAssetId(id);
      return key ? readable(context, await context.loaders.asset.load(key)) : null;
    },
    ownerType: (asset) => ENUM_BY_OWNER_TYPE[asset.ownerType],
    owner: (asset) => ({ __typename: OWNER_TYPENAME[asset.ownerType], id: asset.ownerId }),
    // Signed per request: a URL is a short-lived credential, never cached; its right
    // is checked again here, whichever path (list, event, reference) reached the asset.
    async url(asset, { expiresIn }, context) {
      await requireReadRight(context, asset.ownerType, asset.ownerId, 'this order attachment');
      const { s3 } = context;
      const seconds = expiresIn ?? s3.urlTtlSeconds;
      if (seconds < URL_EXPIRY_RANGE.min || seconds > URL_EXPIRY_RANGE.max) {
        throw badUserInput(`expiresIn must be between ${URL_EXPIRY_RANGE.min} and ${URL_EXPIRY_RANGE.max} seconds`, {
          argumentName: 'expiresIn',
        });
      }
      return presignedGetUrl(s3, asset.key, contentDisposition(asset.filename, asset.contentType), seconds);
    },
    urlExpiresAt: (_, __, { s3 }) => new Date(Date.now() + s3.urlTtlSeconds * 1000),
  },
  AssetOwner: {
    __resolveType: (owner) => owner.__typename,
  },
  Product: {
    images: ({ id }, _, context) => ownerAssets(context, 'products', id),
  },
  User: {
    avatar: async ({ id }, _, context) => (await ownerAssets(context, 'users', id)).at(-1) ?? null,
  },
  Order: {
    async attachments({ id }, _, context) {
      if (isUuid(id)) await requireReadRight(context, 'orders', id, "this order's attachments");
      return ownerAssets(context, 'orders', id);
    },
  },
};
