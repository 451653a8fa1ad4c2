import type { ReviewAddedEvent } from '../models.js';

/** The mongo-subgraph's live pub/sub topics (Redis pub/sub, so every replica's subscribers see them). */
export type MongoEvents = {
  ReviewAdded: [ReviewAddedEvent];
};
