/**
 * What writers outside the API use to write documents the way the service
 * does (the benchmarks' large catalog): review ids, and the name of the
 * search catch-up to mark as done. The package's only entry point besides the server.
 */
export { reviewIdOf, reviewObjectId } from './review-id.js';
export { SEARCH_CATCH_UP } from './search-catch-up.js';
