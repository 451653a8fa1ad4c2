import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { EntityReference, AssetModel, OwnerReference } from '../models.js';
import type { StorageContext } from '../context.js';
export type Maybe<T> = T | null;
export type InputMaybe<T> = Maybe<T>;
export type RequireFields<T, K extends keyof T> = Omit<T, K> & { [P in K]-?: NonNullable<T[P]> };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** An ISO-8601 date-time in UTC, for example 2026-01-31T12:00:00.000Z. */
  DateTime: { input: Date | string; output: Date | string; }
  _FieldSet: { input: unknown; output: unknown; }
};

/** An object stored in S3, uploaded by a client and completed. */
export type Asset = {
  __typename?: 'Asset';
  /** The S3 ETag: hex MD5 of a single-part object, `<md5>-<parts>` of a multipart one. */
  checksum: Scalars['String']['output'];
  contentType: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  /** The filename the client gave (Unicode kept; characters unsafe in object keys replaced by _). */
  filename: Scalars['String']['output'];
  /** Opaque and stable: derived from the object key. */
  id: Scalars['ID']['output'];
  /** The object key in the bucket, built by the service: {ownerType}/{ownerId}/{uploadId}/{filename}. */
  key: Scalars['String']['output'];
  owner: AssetOwner;
  ownerType: AssetOwnerType;
  /** Size in bytes (a Float because objects may exceed GraphQL's 32-bit Int; always a whole number). */
  size: Scalars['Float']['output'];
  /**
   * A presigned GET URL valid for expiresIn seconds (1..604800; default S3_URL_TTL_SECONDS).
   * Its Content-Disposition carries the filename (RFC 6266/5987). Product images and avatars
   * are public; an order attachment's URL is only for the order's owner or an admin (FORBIDDEN).
   */
  url: Scalars['String']['output'];
  /** When a URL asked for now with the default lifetime expires. */
  urlExpiresAt: Scalars['DateTime']['output'];
};


/** An object stored in S3, uploaded by a client and completed. */
export type AssetUrlArgs = {
  expiresIn?: InputMaybe<Scalars['Int']['input']>;
};

export type AssetOwner = Order | Product | User;

/** Who owns an asset; the asset goes when its owner does. */
export type AssetOwnerType =
  /** An order attachment (a PDF or an image). */
  | 'ORDER'
  /** A product image (PNG, JPEG, WebP, GIF). */
  | 'PRODUCT'
  /** A user's avatar (an image; one at a time, a new one replaces the old). */
  | 'USER';

/** Only the user who requested the upload (or an admin) may complete it; anyone else is FORBIDDEN. */
export type CompleteUploadInput = {
  assetId: Scalars['ID']['input'];
  /** For a multipart plan: every part, in order. */
  parts?: InputMaybe<Array<CompletedPartInput>>;
};

export type CompletedPartInput = {
  /** The ETag S3 answered to the part's PUT. */
  etag: Scalars['String']['input'];
  partNumber: Scalars['Int']['input'];
};

export type DeleteAssetInput = {
  assetId: Scalars['ID']['input'];
};

export type DeleteAssetPayload = {
  __typename?: 'DeleteAssetPayload';
  assetId: Scalars['ID']['output'];
};

export type MultipartPlan = {
  __typename?: 'MultipartPlan';
  partSize: Scalars['Float']['output'];
  parts: Array<UploadPart>;
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Checks the uploaded bytes (size, type and magic number of the declared type) and copies them to the key they are served from; on a mismatch everything the upload left is deleted and the answer is BAD_USER_INPUT. */
  completeUpload: Asset;
  /** Deletes the object; NOT_FOUND when there is no such asset. By the asset's owner (an order's owner for attachments; an admin for product images) or an admin. */
  deleteAsset: DeleteAssetPayload;
  /**
   * Checks the owner and the rules, and returns where to upload; nothing is stored until completeUpload.
   * Product images need the admin scope; a user uploads only their own avatar, and attaches
   * files only to their own orders (an admin may do both for anyone).
   */
  requestUpload: UploadTicket;
};


export type MutationCompleteUploadArgs = {
  input: CompleteUploadInput;
};


export type MutationDeleteAssetArgs = {
  input: DeleteAssetInput;
};


export type MutationRequestUploadArgs = {
  input: RequestUploadInput;
};

export type Order = {
  __typename?: 'Order';
  /** Completed attachments of the order, oldest first; only for the order's owner or an admin (FORBIDDEN). */
  attachments: Array<Asset>;
  id: Scalars['ID']['output'];
};

export type Product = {
  __typename?: 'Product';
  id: Scalars['ID']['output'];
  /** Completed images of the product, oldest first. */
  images: Array<Asset>;
};

export type Query = {
  __typename?: 'Query';
  /** Null when no completed asset has this id. */
  asset: Maybe<Asset>;
};


export type QueryAssetArgs = {
  id: Scalars['ID']['input'];
};

export type RequestUploadInput = {
  contentType: Scalars['String']['input'];
  /** Shown back as Asset.filename: no path, no control characters, 1..200 characters; its extension must fit contentType. */
  filename: Scalars['String']['input'];
  ownerId: Scalars['ID']['input'];
  ownerType: AssetOwnerType;
  /** Exact size in bytes; the upload must have it. */
  size: Scalars['Float']['input'];
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Fires when an upload for this owner (product, user or order id) is completed; an order's only for its owner or an admin. */
  assetUploaded: Asset;
};


export type SubscriptionAssetUploadedArgs = {
  ownerId: Scalars['ID']['input'];
};

/** A presigned header the client must send with its PUT, exactly. */
export type UploadHeader = {
  __typename?: 'UploadHeader';
  name: Scalars['String']['output'];
  value: Scalars['String']['output'];
};

/** One part of a multipart plan: PUT exactly size bytes to url, keep the ETag response header. */
export type UploadPart = {
  __typename?: 'UploadPart';
  partNumber: Scalars['Int']['output'];
  size: Scalars['Float']['output'];
  url: Scalars['String']['output'];
};

/**
 * How to upload: either one PUT of the whole body to url with headers, or (multipart
 * not null) one PUT per part; then completeUpload before expiresAt.
 */
export type UploadTicket = {
  __typename?: 'UploadTicket';
  /** The asset's id once completed. */
  assetId: Scalars['ID']['output'];
  expiresAt: Scalars['DateTime']['output'];
  headers: Array<UploadHeader>;
  key: Scalars['String']['output'];
  multipart: Maybe<MultipartPlan>;
  /** The presigned PUT URL; null for a multipart plan. */
  url: Maybe<Scalars['String']['output']>;
};

export type User = {
  __typename?: 'User';
  /** The user's avatar, null when none was uploaded. */
  avatar: Maybe<Asset>;
  id: Scalars['ID']['output'];
};



export type ResolverTypeWrapper<T> = Promise<T> | T;

export type ReferenceResolver<TResult, TReference, TContext> = (
      reference: TReference,
      context: TContext,
      info: GraphQLResolveInfo
    ) => Promise<TResult> | TResult;

      type ScalarCheck<T, S> = S extends true ? T : NullableCheck<T, S>;
      type NullableCheck<T, S> = Maybe<T> extends T ? Maybe<ListCheck<NonNullable<T>, S>> : ListCheck<T, S>;
      type ListCheck<T, S> = T extends (infer U)[] ? NullableCheck<U, S>[] : GraphQLRecursivePick<T, S>;
      export type GraphQLRecursivePick<T, S> = { [K in keyof T & keyof S]: ScalarCheck<T[K], S[K]> };
    

export type ResolverWithResolve<TResult, TParent, TContext, TArgs> = {
  resolve: ResolverFn<TResult, TParent, TContext, TArgs>;
};
export type Resolver<TResult, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = ResolverFn<TResult, TParent, TContext, TArgs> | ResolverWithResolve<TResult, TParent, TContext, TArgs>;

export type ResolverFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => Promise<TResult> | TResult;

export type SubscriptionSubscribeFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => AsyncIterable<TResult> | Promise<AsyncIterable<TResult>>;

export type SubscriptionResolveFn<TResult, TParent, TContext, TArgs> = (
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

export interface SubscriptionSubscriberObject<TResult, TKey extends string, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<{ [key in TKey]: TResult }, TParent, TContext, TArgs>;
  resolve?: SubscriptionResolveFn<TResult, { [key in TKey]: TResult }, TContext, TArgs>;
}

export interface SubscriptionResolverObject<TResult, TParent, TContext, TArgs> {
  subscribe: SubscriptionSubscribeFn<any, TParent, TContext, TArgs>;
  resolve: SubscriptionResolveFn<TResult, any, TContext, TArgs>;
}

export type SubscriptionObject<TResult, TKey extends string, TParent, TContext, TArgs> =
  | SubscriptionSubscriberObject<TResult, TKey, TParent, TContext, TArgs>
  | SubscriptionResolverObject<TResult, TParent, TContext, TArgs>;

export type SubscriptionResolver<TResult, TKey extends string, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> =
  | ((...args: any[]) => SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>)
  | SubscriptionObject<TResult, TKey, TParent, TContext, TArgs>;

export type TypeResolveFn<TTypes, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (
  parent: TParent,
  context: TContext,
  info: GraphQLResolveInfo
) => Maybe<TTypes> | Promise<Maybe<TTypes>>;

export type IsTypeOfResolverFn<T = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>> = (obj: T, context: TContext, info: GraphQLResolveInfo) => boolean | Promise<boolean>;

export type NextResolverFn<T> = () => Promise<T>;

export type DirectiveResolverFn<TResult = Record<PropertyKey, never>, TParent = Record<PropertyKey, never>, TContext = Record<PropertyKey, never>, TArgs = Record<PropertyKey, never>> = (
  next: NextResolverFn<TResult>,
  parent: TParent,
  args: TArgs,
  context: TContext,
  info: GraphQLResolveInfo
) => TResult | Promise<TResult>;

/** Mapping of federation types */
export type FederationTypes = {
  Asset: Asset;
  Order: Order;
  Product: Product;
  User: User;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Asset:
    ( { __typename: 'Asset' }
    & GraphQLRecursivePick<FederationTypes['Asset'], {"id":true}> );
  Order:
    ( { __typename: 'Order' }
    & GraphQLRecursivePick<FederationTypes['Order'], {"id":true}> );
  Product:
    ( { __typename: 'Product' }
    & GraphQLRecursivePick<FederationTypes['Product'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  Asset: ResolverTypeWrapper<AssetModel>;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  AssetOwner: ResolverTypeWrapper<OwnerReference>;
  AssetOwnerType: AssetOwnerType;
  CompleteUploadInput: CompleteUploadInput;
  CompletedPartInput: CompletedPartInput;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteAssetInput: DeleteAssetInput;
  DeleteAssetPayload: ResolverTypeWrapper<DeleteAssetPayload>;
  MultipartPlan: ResolverTypeWrapper<MultipartPlan>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Order: ResolverTypeWrapper<EntityReference>;
  Product: ResolverTypeWrapper<EntityReference>;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  RequestUploadInput: RequestUploadInput;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UploadHeader: ResolverTypeWrapper<UploadHeader>;
  UploadPart: ResolverTypeWrapper<UploadPart>;
  UploadTicket: ResolverTypeWrapper<UploadTicket>;
  User: ResolverTypeWrapper<EntityReference>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  Asset: AssetModel;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  Float: Scalars['Float']['output'];
  Int: Scalars['Int']['output'];
  AssetOwner: OwnerReference;
  CompleteUploadInput: CompleteUploadInput;
  CompletedPartInput: CompletedPartInput;
  DateTime: Scalars['DateTime']['output'];
  DeleteAssetInput: DeleteAssetInput;
  DeleteAssetPayload: DeleteAssetPayload;
  MultipartPlan: MultipartPlan;
  Mutation: Record<PropertyKey, never>;
  Order: EntityReference;
  Product: EntityReference;
  Query: Record<PropertyKey, never>;
  RequestUploadInput: RequestUploadInput;
  Subscription: Record<PropertyKey, never>;
  UploadHeader: UploadHeader;
  UploadPart: UploadPart;
  UploadTicket: UploadTicket;
  User: EntityReference;
  Boolean: Scalars['Boolean']['output'];
};

export type AssetResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['Asset'] = ResolversParentTypes['Asset'], FederationReferenceType extends FederationReferenceTypes['Asset'] = FederationReferenceTypes['Asset']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Asset']> | FederationReferenceType, FederationReferenceType, ContextType>;
  checksum?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  contentType?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  filename?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  owner?: Resolver<ResolversTypes['AssetOwner'], ParentType, ContextType>;
  ownerType?: Resolver<ResolversTypes['AssetOwnerType'], ParentType, ContextType>;
  size?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType, Partial<AssetUrlArgs>>;
  urlExpiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type AssetOwnerResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['AssetOwner'] = ResolversParentTypes['AssetOwner']> = {
  __resolveType: TypeResolveFn<'Order' | 'Product' | 'User', ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export type DeleteAssetPayloadResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['DeleteAssetPayload'] = ResolversParentTypes['DeleteAssetPayload']> = {
  assetId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
};

export type MultipartPlanResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['MultipartPlan'] = ResolversParentTypes['MultipartPlan']> = {
  partSize?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  parts?: Resolver<Array<ResolversTypes['UploadPart']>, ParentType, ContextType>;
};

export type MutationResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  completeUpload?: Resolver<ResolversTypes['Asset'], ParentType, ContextType, RequireFields<MutationCompleteUploadArgs, 'input'>>;
  deleteAsset?: Resolver<ResolversTypes['DeleteAssetPayload'], ParentType, ContextType, RequireFields<MutationDeleteAssetArgs, 'input'>>;
  requestUpload?: Resolver<ResolversTypes['UploadTicket'], ParentType, ContextType, RequireFields<MutationRequestUploadArgs, 'input'>>;
};

export type OrderResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['Order'] = ResolversParentTypes['Order'], FederationReferenceType extends FederationReferenceTypes['Order'] = FederationReferenceTypes['Order']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Order']> | FederationReferenceType, FederationReferenceType, ContextType>;
  attachments?: Resolver<Array<ResolversTypes['Asset']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type ProductResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product'], FederationReferenceType extends FederationReferenceTypes['Product'] = FederationReferenceTypes['Product']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Product']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  images?: Resolver<Array<ResolversTypes['Asset']>, ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type QueryResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  asset?: Resolver<Maybe<ResolversTypes['Asset']>, ParentType, ContextType, RequireFields<QueryAssetArgs, 'id'>>;
};

export type SubscriptionResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  assetUploaded?: SubscriptionResolver<ResolversTypes['Asset'], "assetUploaded", ParentType, ContextType, RequireFields<SubscriptionAssetUploadedArgs, 'ownerId'>>;
};

export type UploadHeaderResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['UploadHeader'] = ResolversParentTypes['UploadHeader']> = {
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  value?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type UploadPartResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['UploadPart'] = ResolversParentTypes['UploadPart']> = {
  partNumber?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  size?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  url?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export type UploadTicketResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['UploadTicket'] = ResolversParentTypes['UploadTicket']> = {
  assetId?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  expiresAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  headers?: Resolver<Array<ResolversTypes['UploadHeader']>, ParentType, ContextType>;
  key?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  multipart?: Resolver<Maybe<ResolversTypes['MultipartPlan']>, ParentType, ContextType>;
  url?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
};

export type UserResolvers<ContextType = StorageContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  avatar?: Resolver<Maybe<ResolversTypes['Asset']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  __isTypeOf?: IsTypeOfResolverFn<ParentType, ContextType>;
};

export type Resolvers<ContextType = StorageContext> = {
  Asset?: AssetResolvers<ContextType>;
  AssetOwner?: AssetOwnerResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  DeleteAssetPayload?: DeleteAssetPayloadResolvers<ContextType>;
  MultipartPlan?: MultipartPlanResolvers<ContextType>;
  Mutation?: MutationResolvers<ContextType>;
  Order?: OrderResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  UploadHeader?: UploadHeaderResolvers<ContextType>;
  UploadPart?: UploadPartResolvers<ContextType>;
  UploadTicket?: UploadTicketResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

