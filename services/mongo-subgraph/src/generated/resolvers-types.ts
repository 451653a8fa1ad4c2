import type { GraphQLResolveInfo, GraphQLScalarType, GraphQLScalarTypeConfig } from 'graphql';
import type { ProductReference, UserReference, WrittenDetails, CategoryDocument, RatingSummary, ReviewDocument, ReviewConnectionModel, ReviewEdgeModel, ProductSearchResultModel, ProductSearchEdgeModel } from '../models.js';
import type { MongoContext } from '../context.js';
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
  /** Any JSON value. */
  JSON: { input: unknown; output: unknown; }
  _FieldSet: { input: unknown; output: unknown; }
};

export type AddReviewInput = {
  body: Scalars['String']['input'];
  productId: Scalars['ID']['input'];
  rating: Scalars['Int']['input'];
  title: Scalars['String']['input'];
  /** The author: the signed-in user when omitted. Only an admin may name another user (imports, moderation). */
  userId?: InputMaybe<Scalars['ID']['input']>;
};

/** One attribute the products of a category carry. */
export type AttributeDefinition = {
  __typename?: 'AttributeDefinition';
  /** Letters and digits, starting with a letter, for example ramGb. */
  name: Scalars['String']['output'];
  required: Scalars['Boolean']['output'];
  type: AttributeType;
  /** The allowed values of ENUM and ENUM_LIST attributes; empty otherwise. */
  values: Array<Scalars['String']['output']>;
};

export type AttributeDefinitionInput = {
  name: Scalars['String']['input'];
  required?: InputMaybe<Scalars['Boolean']['input']>;
  type: AttributeType;
  values?: InputMaybe<Array<Scalars['String']['input']>>;
};

/** A filter on one attribute: equality (eq) or a numeric range (gte/lte, gt/lt). */
export type AttributeFilter = {
  eq?: InputMaybe<Scalars['JSON']['input']>;
  gt?: InputMaybe<Scalars['Float']['input']>;
  gte?: InputMaybe<Scalars['Float']['input']>;
  lt?: InputMaybe<Scalars['Float']['input']>;
  lte?: InputMaybe<Scalars['Float']['input']>;
  name: Scalars['String']['input'];
};

/** The type of one attribute a category defines. */
export type AttributeType =
  | 'BOOLEAN'
  /** One of the definition's values. */
  | 'ENUM'
  /** A list of the definition's values. */
  | 'ENUM_LIST'
  | 'FLOAT'
  | 'INT'
  | 'STRING'
  /** A list of strings. */
  | 'STRING_LIST';

/** A product category and the attributes its products carry, enough for a client to build a form. */
export type Category = {
  __typename?: 'Category';
  attributes: Array<AttributeDefinition>;
  name: Scalars['String']['output'];
  /** Lower-case letters, digits and dashes, for example "laptops". */
  slug: Scalars['String']['output'];
};

export type DeleteCategoryInput = {
  slug: Scalars['String']['input'];
};

export type DeleteReviewInput = {
  id: Scalars['ID']['input'];
};

export type Mutation = {
  __typename?: 'Mutation';
  /** Reviews a product as the signed-in user. One review per user per product: a second is CONFLICT. */
  addReview: Review;
  /** Deletes a category (admin); CONFLICT while any product's details use it. Returns the slug. */
  deleteCategory: Scalars['String']['output'];
  /** Deletes a review: only its author or an admin (FORBIDDEN otherwise). Returns the id of the deleted review. */
  deleteReview: Scalars['ID']['output'];
  /** Changes a review: only its author or an admin (FORBIDDEN otherwise). */
  updateReview: Review;
  /**
   * Creates or replaces a category's attribute definitions (admin). A change the existing details of the
   * category would violate is BAD_USER_INPUT naming the attribute and how many products, so stored details
   * always satisfy their category.
   */
  upsertCategory: Category;
  /** Creates or replaces the details of a product (admin); BAD_USER_INPUT names the attribute at fault, NOT_FOUND an unknown product. */
  upsertProductDetails: Product;
};


export type MutationAddReviewArgs = {
  input: AddReviewInput;
};


export type MutationDeleteCategoryArgs = {
  input: DeleteCategoryInput;
};


export type MutationDeleteReviewArgs = {
  input: DeleteReviewInput;
};


export type MutationUpdateReviewArgs = {
  input: UpdateReviewInput;
};


export type MutationUpsertCategoryArgs = {
  input: UpsertCategoryInput;
};


export type MutationUpsertProductDetailsArgs = {
  input: UpsertProductDetailsInput;
};

export type PageInfo = {
  __typename?: 'PageInfo';
  endCursor: Maybe<Scalars['String']['output']>;
  hasNextPage: Scalars['Boolean']['output'];
};

export type Product = {
  __typename?: 'Product';
  /** Null until details have been written for this product. */
  details: Maybe<ProductDetails>;
  id: Scalars['ID']['output'];
  rating: ProductRating;
  /** Reviews of this product, newest first. */
  reviews: ReviewConnection;
};


export type ProductReviewsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
};

/** Catalog content for a product: text, classification and attributes whose shape its category defines. */
export type ProductDetails = {
  __typename?: 'ProductDetails';
  /** Attributes as the category defines them, for example { "cpu": "M3", "ramGb": 16 } for a laptop. */
  attributes: Scalars['JSON']['output'];
  category: Scalars['String']['output'];
  description: Scalars['String']['output'];
  tags: Array<Scalars['String']['output']>;
  updatedAt: Scalars['DateTime']['output'];
};

/** A product's reviews summarised: average 0 when there are none; histogram[i] counts ratings of i + 1 stars. */
export type ProductRating = {
  __typename?: 'ProductRating';
  average: Scalars['Float']['output'];
  count: Scalars['Int']['output'];
  histogram: Array<Scalars['Int']['output']>;
};

export type ProductSearchEdge = {
  __typename?: 'ProductSearchEdge';
  cursor: Scalars['String']['output'];
  node: Product;
};

export type ProductSearchResult = {
  __typename?: 'ProductSearchResult';
  edges: Array<ProductSearchEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ProductSearchSort =
  /** Most recently created products first. */
  | 'NEWEST'
  /** Highest average rating first; ties newest first. */
  | 'RATING'
  /** Words found in the name weigh most, then tags, then the description; ties newest first. */
  | 'RELEVANCE';

export type Query = {
  __typename?: 'Query';
  categories: Array<Category>;
  category: Maybe<Category>;
  /** The details of a product, or null when none were written. */
  productDetails: Maybe<ProductDetails>;
  review: Maybe<Review>;
  /**
   * Products whose name, description or tags contain every word of text (case-insensitive),
   * in the category, with every tag, and matching every attribute filter.
   */
  searchProducts: ProductSearchResult;
};


export type QueryCategoryArgs = {
  slug: Scalars['String']['input'];
};


export type QueryProductDetailsArgs = {
  productId: Scalars['ID']['input'];
};


export type QueryReviewArgs = {
  id: Scalars['ID']['input'];
};


export type QuerySearchProductsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  attributes?: InputMaybe<Array<AttributeFilter>>;
  category?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
  sort?: InputMaybe<ProductSearchSort>;
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
  text?: InputMaybe<Scalars['String']['input']>;
};

export type Review = {
  __typename?: 'Review';
  author: User;
  body: Scalars['String']['output'];
  createdAt: Scalars['DateTime']['output'];
  id: Scalars['ID']['output'];
  product: Product;
  /** 1 to 5 stars. */
  rating: Scalars['Int']['output'];
  title: Scalars['String']['output'];
  updatedAt: Scalars['DateTime']['output'];
};

export type ReviewConnection = {
  __typename?: 'ReviewConnection';
  edges: Array<ReviewEdge>;
  pageInfo: PageInfo;
  totalCount: Scalars['Int']['output'];
};

export type ReviewEdge = {
  __typename?: 'ReviewEdge';
  cursor: Scalars['String']['output'];
  node: Review;
};

export type Subscription = {
  __typename?: 'Subscription';
  /** Reviews added to one product. */
  reviewAdded: Review;
};


export type SubscriptionReviewAddedArgs = {
  productId: Scalars['ID']['input'];
};

export type UpdateReviewInput = {
  body?: InputMaybe<Scalars['String']['input']>;
  id: Scalars['ID']['input'];
  rating?: InputMaybe<Scalars['Int']['input']>;
  title?: InputMaybe<Scalars['String']['input']>;
};

export type UpsertCategoryInput = {
  attributes: Array<AttributeDefinitionInput>;
  name: Scalars['String']['input'];
  slug: Scalars['String']['input'];
};

export type UpsertProductDetailsInput = {
  /** A JSON object checked against the category's attribute definitions; {} when omitted. */
  attributes?: InputMaybe<Scalars['JSON']['input']>;
  /** The slug of an existing category. */
  category: Scalars['String']['input'];
  description: Scalars['String']['input'];
  productId: Scalars['ID']['input'];
  tags?: InputMaybe<Array<Scalars['String']['input']>>;
};

export type User = {
  __typename?: 'User';
  id: Scalars['ID']['output'];
  /** Reviews this user wrote, newest first. */
  reviews: ReviewConnection;
};


export type UserReviewsArgs = {
  after?: InputMaybe<Scalars['String']['input']>;
  first?: InputMaybe<Scalars['Int']['input']>;
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
  Product: Product;
  Review: Review;
  User: User;
};

/** Mapping of federation reference types */
export type FederationReferenceTypes = {
  Product:
    ( { __typename: 'Product' }
    & GraphQLRecursivePick<FederationTypes['Product'], {"id":true}> );
  Review:
    ( { __typename: 'Review' }
    & GraphQLRecursivePick<FederationTypes['Review'], {"id":true}> );
  User:
    ( { __typename: 'User' }
    & GraphQLRecursivePick<FederationTypes['User'], {"id":true}> );
};



/** Mapping between all available schema types and the resolvers types */
export type ResolversTypes = {
  AddReviewInput: AddReviewInput;
  String: ResolverTypeWrapper<Scalars['String']['output']>;
  ID: ResolverTypeWrapper<Scalars['ID']['output']>;
  Int: ResolverTypeWrapper<Scalars['Int']['output']>;
  AttributeDefinition: ResolverTypeWrapper<AttributeDefinition>;
  Boolean: ResolverTypeWrapper<Scalars['Boolean']['output']>;
  AttributeDefinitionInput: AttributeDefinitionInput;
  AttributeFilter: AttributeFilter;
  Float: ResolverTypeWrapper<Scalars['Float']['output']>;
  AttributeType: AttributeType;
  Category: ResolverTypeWrapper<CategoryDocument>;
  DateTime: ResolverTypeWrapper<Scalars['DateTime']['output']>;
  DeleteCategoryInput: DeleteCategoryInput;
  DeleteReviewInput: DeleteReviewInput;
  JSON: ResolverTypeWrapper<Scalars['JSON']['output']>;
  Mutation: ResolverTypeWrapper<Record<PropertyKey, never>>;
  PageInfo: ResolverTypeWrapper<PageInfo>;
  Product: ResolverTypeWrapper<ProductReference>;
  ProductDetails: ResolverTypeWrapper<WrittenDetails>;
  ProductRating: ResolverTypeWrapper<RatingSummary>;
  ProductSearchEdge: ResolverTypeWrapper<ProductSearchEdgeModel>;
  ProductSearchResult: ResolverTypeWrapper<ProductSearchResultModel>;
  ProductSearchSort: ProductSearchSort;
  Query: ResolverTypeWrapper<Record<PropertyKey, never>>;
  Review: ResolverTypeWrapper<ReviewDocument>;
  ReviewConnection: ResolverTypeWrapper<ReviewConnectionModel>;
  ReviewEdge: ResolverTypeWrapper<ReviewEdgeModel>;
  Subscription: ResolverTypeWrapper<Record<PropertyKey, never>>;
  UpdateReviewInput: UpdateReviewInput;
  UpsertCategoryInput: UpsertCategoryInput;
  UpsertProductDetailsInput: UpsertProductDetailsInput;
  User: ResolverTypeWrapper<UserReference>;
};

/** Mapping between all available schema types and the resolvers parents */
export type ResolversParentTypes = {
  AddReviewInput: AddReviewInput;
  String: Scalars['String']['output'];
  ID: Scalars['ID']['output'];
  Int: Scalars['Int']['output'];
  AttributeDefinition: AttributeDefinition;
  Boolean: Scalars['Boolean']['output'];
  AttributeDefinitionInput: AttributeDefinitionInput;
  AttributeFilter: AttributeFilter;
  Float: Scalars['Float']['output'];
  Category: CategoryDocument;
  DateTime: Scalars['DateTime']['output'];
  DeleteCategoryInput: DeleteCategoryInput;
  DeleteReviewInput: DeleteReviewInput;
  JSON: Scalars['JSON']['output'];
  Mutation: Record<PropertyKey, never>;
  PageInfo: PageInfo;
  Product: ProductReference;
  ProductDetails: WrittenDetails;
  ProductRating: RatingSummary;
  ProductSearchEdge: ProductSearchEdgeModel;
  ProductSearchResult: ProductSearchResultModel;
  Query: Record<PropertyKey, never>;
  Review: ReviewDocument;
  ReviewConnection: ReviewConnectionModel;
  ReviewEdge: ReviewEdgeModel;
  Subscription: Record<PropertyKey, never>;
  UpdateReviewInput: UpdateReviewInput;
  UpsertCategoryInput: UpsertCategoryInput;
  UpsertProductDetailsInput: UpsertProductDetailsInput;
  User: UserReference;
};

export type AttributeDefinitionResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['AttributeDefinition'] = ResolversParentTypes['AttributeDefinition']> = {
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  required?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
  type?: Resolver<ResolversTypes['AttributeType'], ParentType, ContextType>;
  values?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
};

export type CategoryResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['Category'] = ResolversParentTypes['Category']> = {
  attributes?: Resolver<Array<ResolversTypes['AttributeDefinition']>, ParentType, ContextType>;
  name?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  slug?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
};

export interface DateTimeScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['DateTime'], any> {
  name: 'DateTime';
}

export interface JsonScalarConfig extends GraphQLScalarTypeConfig<ResolversTypes['JSON'], any> {
  name: 'JSON';
}

export type MutationResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['Mutation'] = ResolversParentTypes['Mutation']> = {
  addReview?: Resolver<ResolversTypes['Review'], ParentType, ContextType, RequireFields<MutationAddReviewArgs, 'input'>>;
  deleteCategory?: Resolver<ResolversTypes['String'], ParentType, ContextType, RequireFields<MutationDeleteCategoryArgs, 'input'>>;
  deleteReview?: Resolver<ResolversTypes['ID'], ParentType, ContextType, RequireFields<MutationDeleteReviewArgs, 'input'>>;
  updateReview?: Resolver<ResolversTypes['Review'], ParentType, ContextType, RequireFields<MutationUpdateReviewArgs, 'input'>>;
  upsertCategory?: Resolver<ResolversTypes['Category'], ParentType, ContextType, RequireFields<MutationUpsertCategoryArgs, 'input'>>;
  upsertProductDetails?: Resolver<ResolversTypes['Product'], ParentType, ContextType, RequireFields<MutationUpsertProductDetailsArgs, 'input'>>;
};

export type PageInfoResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['PageInfo'] = ResolversParentTypes['PageInfo']> = {
  endCursor?: Resolver<Maybe<ResolversTypes['String']>, ParentType, ContextType>;
  hasNextPage?: Resolver<ResolversTypes['Boolean'], ParentType, ContextType>;
};

export type ProductResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['Product'] = ResolversParentTypes['Product'], FederationReferenceType extends FederationReferenceTypes['Product'] = FederationReferenceTypes['Product']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Product']> | FederationReferenceType, FederationReferenceType, ContextType>;
  details?: Resolver<Maybe<ResolversTypes['ProductDetails']>, ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  rating?: Resolver<ResolversTypes['ProductRating'], ParentType, ContextType>;
  reviews?: Resolver<ResolversTypes['ReviewConnection'], ParentType, ContextType, RequireFields<ProductReviewsArgs, 'first'>>;
};

export type ProductDetailsResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['ProductDetails'] = ResolversParentTypes['ProductDetails']> = {
  attributes?: Resolver<ResolversTypes['JSON'], ParentType, ContextType>;
  category?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  description?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  tags?: Resolver<Array<ResolversTypes['String']>, ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ProductRatingResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['ProductRating'] = ResolversParentTypes['ProductRating']> = {
  average?: Resolver<ResolversTypes['Float'], ParentType, ContextType>;
  count?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  histogram?: Resolver<Array<ResolversTypes['Int']>, ParentType, ContextType>;
};

export type ProductSearchEdgeResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['ProductSearchEdge'] = ResolversParentTypes['ProductSearchEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
};

export type ProductSearchResultResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['ProductSearchResult'] = ResolversParentTypes['ProductSearchResult']> = {
  edges?: Resolver<Array<ResolversTypes['ProductSearchEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type QueryResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['Query'] = ResolversParentTypes['Query']> = {
  categories?: Resolver<Array<ResolversTypes['Category']>, ParentType, ContextType>;
  category?: Resolver<Maybe<ResolversTypes['Category']>, ParentType, ContextType, RequireFields<QueryCategoryArgs, 'slug'>>;
  productDetails?: Resolver<Maybe<ResolversTypes['ProductDetails']>, ParentType, ContextType, RequireFields<QueryProductDetailsArgs, 'productId'>>;
  review?: Resolver<Maybe<ResolversTypes['Review']>, ParentType, ContextType, RequireFields<QueryReviewArgs, 'id'>>;
  searchProducts?: Resolver<ResolversTypes['ProductSearchResult'], ParentType, ContextType, RequireFields<QuerySearchProductsArgs, 'first' | 'sort'>>;
};

export type ReviewResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['Review'] = ResolversParentTypes['Review'], FederationReferenceType extends FederationReferenceTypes['Review'] = FederationReferenceTypes['Review']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['Review']> | FederationReferenceType, FederationReferenceType, ContextType>;
  author?: Resolver<ResolversTypes['User'], ParentType, ContextType>;
  body?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  createdAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  product?: Resolver<ResolversTypes['Product'], ParentType, ContextType>;
  rating?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
  title?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  updatedAt?: Resolver<ResolversTypes['DateTime'], ParentType, ContextType>;
};

export type ReviewConnectionResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['ReviewConnection'] = ResolversParentTypes['ReviewConnection']> = {
  edges?: Resolver<Array<ResolversTypes['ReviewEdge']>, ParentType, ContextType>;
  pageInfo?: Resolver<ResolversTypes['PageInfo'], ParentType, ContextType>;
  totalCount?: Resolver<ResolversTypes['Int'], ParentType, ContextType>;
};

export type ReviewEdgeResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['ReviewEdge'] = ResolversParentTypes['ReviewEdge']> = {
  cursor?: Resolver<ResolversTypes['String'], ParentType, ContextType>;
  node?: Resolver<ResolversTypes['Review'], ParentType, ContextType>;
};

export type SubscriptionResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['Subscription'] = ResolversParentTypes['Subscription']> = {
  reviewAdded?: SubscriptionResolver<ResolversTypes['Review'], "reviewAdded", ParentType, ContextType, RequireFields<SubscriptionReviewAddedArgs, 'productId'>>;
};

export type UserResolvers<ContextType = MongoContext, ParentType extends ResolversParentTypes['User'] = ResolversParentTypes['User'], FederationReferenceType extends FederationReferenceTypes['User'] = FederationReferenceTypes['User']> = {
  __resolveReference?: ReferenceResolver<Maybe<ResolversTypes['User']> | FederationReferenceType, FederationReferenceType, ContextType>;
  id?: Resolver<ResolversTypes['ID'], ParentType, ContextType>;
  reviews?: Resolver<ResolversTypes['ReviewConnection'], ParentType, ContextType, RequireFields<UserReviewsArgs, 'first'>>;
};

export type Resolvers<ContextType = MongoContext> = {
  AttributeDefinition?: AttributeDefinitionResolvers<ContextType>;
  Category?: CategoryResolvers<ContextType>;
  DateTime?: GraphQLScalarType;
  JSON?: GraphQLScalarType;
  Mutation?: MutationResolvers<ContextType>;
  PageInfo?: PageInfoResolvers<ContextType>;
  Product?: ProductResolvers<ContextType>;
  ProductDetails?: ProductDetailsResolvers<ContextType>;
  ProductRating?: ProductRatingResolvers<ContextType>;
  ProductSearchEdge?: ProductSearchEdgeResolvers<ContextType>;
  ProductSearchResult?: ProductSearchResultResolvers<ContextType>;
  Query?: QueryResolvers<ContextType>;
  Review?: ReviewResolvers<ContextType>;
  ReviewConnection?: ReviewConnectionResolvers<ContextType>;
  ReviewEdge?: ReviewEdgeResolvers<ContextType>;
  Subscription?: SubscriptionResolvers<ContextType>;
  User?: UserResolvers<ContextType>;
};

