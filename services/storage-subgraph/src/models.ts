/** A Product as other subgraphs reference it: the key only. */
export interface ProductReference {
  id: string;
}

/** What the service knows of one object, read from S3 with HEAD (and cached). */
export interface AssetModel {
  id: string;
  key: string;
  filename: string;
  contentType: string;
  size: number;
  checksum: string;
  createdAt: Date;
}
