import type { Config } from '@polystore/common';
import type { OwnerType } from './store/keys.js';

/** Content types by file extension: what a stored object is served as. */
const TYPE_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  pdf: 'application/pdf',
  // Written only by the server (demo data): SVG can carry script, so clients cannot upload it.
  svg: 'image/svg+xml',
};

const IMAGES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

/** The content type of a stored filename, from its extension; octet-stream when unknown. */
export function contentTypeOf(filename: string): string {
  const extension = /\.([A-Za-z0-9]{1,10})$/.exec(filename)?.[1]?.toLowerCase();
  return (extension && TYPE_BY_EXTENSION[extension]) || 'application/octet-stream';
}

export interface OwnerRule {
  /** The GraphQL owner type and the entity that must exist. */
  entity: 'Product' | 'User' | 'Order';
  contentTypes: readonly string[];
  maxBytes: number;
  /** At most one completed asset: completing a new one replaces the old. */
  single: boolean;
}

/** What each owner type accepts: product images, one avatar per user, PDFs and images on orders. */
export function ownerRules(uploads: Config['uploads']): Record<OwnerType, OwnerRule> {
  return {
    products: { entity: 'Product', contentTypes: IMAGES, maxBytes: uploads.maxImageBytes, single: false },
    users: { entity: 'User', contentTypes: IMAGES, maxBytes: uploads.maxImageBytes, single: true },
    orders: {
      entity: 'Order',
      contentTypes: [...IMAGES, 'application/pdf'],
      maxBytes: uploads.maxAttachmentBytes,
      single: false,
    },
  };
}

/** GraphQL's enum values and the key scheme's owner types. */
export const OWNER_TYPE_BY_ENUM = { PRODUCT: 'products', USER: 'users', ORDER: 'orders' } as const;
export const ENUM_BY_OWNER_TYPE = { products: 'PRODUCT', users: 'USER', orders: 'ORDER' } as const;
