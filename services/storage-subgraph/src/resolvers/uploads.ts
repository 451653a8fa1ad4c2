import {
  appendEvent,
  badUserInput,
  notFound,
  requireOwnerOrAdmin,
  requireReference,
  requireUuid,
} from '@polystore/common';
import { ownerCacheId } from '../cache.js';
import type { StorageContext } from '../context.js';
import type { Resolvers } from '../generated/resolvers-types.js';
import { filenameProblem, parseKey } from '../store/keys.js';
import { deleteObject, headAsset, listOwnerAssets } from '../store/objects.js';
import { requireManageRight } from '../ownership.js';
import { contentTypeOf, ownerRules, OWNER_TYPE_BY_ENUM } from '../rules.js';
import type { PendingUpload } from '../models.js';
import { finishUpload, planUpload } from '../store/uploads.js';
import { requireAssetKey } from './asset.js';

/** Drops an owner's list and the given assets from both cache levels, so every replica sees the change. */
async function invalidateOwner(context: StorageContext, ownerCacheKey: string, keys: string[]) {
  await Promise.all([context.loaders.ownerAssets.invalidate([ownerCacheKey]), context.loaders.asset.invalidate(keys)]);
}

export const uploadResolvers: Resolvers = {
  Mutation: {
    async requestUpload(_, { input }, context) {
      const ownerType = OWNER_TYPE_BY_ENUM[input.ownerType];
      const ownerId = requireUuid(input.ownerId, 'ownerId');
      const rule = ownerRules(context.s3.uploads)[ownerType];
      const problem = filenameProblem(input.filename);
      if (problem) throw badUserInput(problem, { argumentName: 'filename' });
      const contentType = input.contentType.trim().toLowerCase();
      if (!rule.contentTypes.includes(contentType)) {
        throw badUserInput(`a ${rule.entity.toLowerCase()} accepts ${rule.contentTypes.join(', ')}`, {
          argumentName: 'contentType',
          allowed: rule.contentTypes,
        });
      }
      if (contentTypeOf(input.filename) !== contentType) {
        throw badUserInput(`the filename's extension does not fit ${contentType}`, { argumentName: 'filename' });
      }
      if (!Number.isSafeInteger(input.size) || input.size < 1 || input.size > rule.maxBytes) {
        throw badUserInput(`size must be a whole number of bytes from 1 to ${rule.maxBytes}`, {
          argumentName: 'size',
          maxBytes: rule.maxBytes,
        });
      }
      await requireManageRight(context, ownerType, ownerId, `an upload for this ${rule.entity.toLowerCase()}`);
      await requireReference(context.references, rule.entity, ownerId);
      const plan = await planUpload(context.s3, {
        ownerType,
        ownerId,
        filename: input.filename,
        contentType,
        size: input.size,
        requestedBy: context.viewer.userId,
      });
      return { ...plan, assetId: Buffer.from(plan.key).toString('base64url') };
    },

    async completeUpload(_, { input }, context) {
      const key = requireAssetKey(input.assetId, 'assetId');
      const parsed = parseKey(key)!;
      const entity = ownerRules(context.s3.uploads)[parsed.ownerType].entity;
      // Only whoever asked for the upload may complete it (the record says who), or an admin;
      // refused before anything is touched.
      const authorize = async (upload: PendingUpload) => {
        requireOwnerOrAdmin(context.viewer, upload.requestedBy ?? '', 'this upload');
        // An owner deleted since the request: the upload stays pending and the sweep removes it.
        await requireReference(context.references, entity, parsed.ownerId);
      };
      const ownerCacheKey = ownerCacheId(parsed.ownerType, parsed.ownerId);
      const replaced: string[] = [];
      // One at a time (avatars): the others go before the new one becomes visible. Two
      // completions racing on two replicas then leave one or both, never none; the newest shows.
      const replaceOthers = async () => {
        if (!ownerRules(context.s3.uploads)[parsed.ownerType].single) return;
        for (const other of await listOwnerAssets(context.s3, parsed.ownerType, parsed.ownerId)) {
          if (other.key === key) continue;
          await deleteObject(context.s3, other.key);
          replaced.push(other.key);
        }
      };
      const completion = await finishUpload(context.s3, key, input.parts, {
        authorize,
        beforeVisible: replaceOthers,
      });
      if (completion.status === 'rejected') {
        await invalidateOwner(context, ownerCacheKey, [key]);
        throw badUserInput(`upload rejected: ${completion.reason}`, { argumentName: 'assetId' });
      }
      if (completion.status === 'unknown') {
        // Completing twice answers the asset again (to whoever may manage it); anything else
        // was never requested or is gone.
        const asset = await context.loaders.asset.load(key);
        if (asset) {
          await requireManageRight(context, asset.ownerType, asset.ownerId, 'this asset');
          return asset;
        }
        throw notFound('no pending upload has this id', { argumentName: 'assetId' });
      }
      const asset = await headAsset(context.s3, key);
      if (!asset) throw notFound('the upload is gone', { argumentName: 'assetId' });
      await invalidateOwner(context, ownerCacheKey, [key, ...replaced]);
      await appendEvent(context.events, context.log, 'AssetUploaded', {
        key: asset.key,
        ownerType: asset.ownerType,
        ownerId: asset.ownerId,
      });
      context.log.info({ key, size: asset.size, replaced: replaced.length }, 'upload completed');
      return asset;
    },

    async deleteAsset(_, { input }, context) {
      const key = requireAssetKey(input.assetId, 'assetId');
      const asset = await context.loaders.asset.load(key);
      if (!asset) throw notFound('no asset has this id', { argumentName: 'assetId' });
      await requireManageRight(context, asset.ownerType, asset.ownerId, 'this asset');
      await deleteObject(context.s3, key);
      await invalidateOwner(context, ownerCacheId(asset.ownerType, asset.ownerId), [key]);
      return { assetId: input.assetId };
    },
  },
};
