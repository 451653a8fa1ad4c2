import type { OwnerType } from './store/keys.js';

/** An entity as other subgraphs reference it: the key only. */
export interface EntityReference {
  id: string;
}

/** A completed asset, built from the object's key and what LIST or HEAD says of it (and cached). */
export interface AssetModel {
  id: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  checksum: string;
  createdAt: Date;
  ownerType: OwnerType;
  ownerId: string;
}

/** What requestUpload promised, kept at the upload's pending key until completion or expiry. */
export interface PendingUpload {
  key: string;
  contentType: string;
  size: number;
  /** ISO time after which the upload is refused and removed. */
  expiresAt: string;
  /** The user who asked for the upload (the token's `sub`): only they or an admin may complete it. */
  requestedBy?: string;
  /** S3's id of a multipart upload; absent for a single PUT. */
  multipartUploadId?: string;
}

/** An asset's owner as the union `AssetOwner` resolves it: a reference the owning subgraph completes. */
export interface OwnerReference {
  __typename: 'Product' | 'User' | 'Order';
  id: string;
}
