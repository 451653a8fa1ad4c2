/** Schema-driven fuzzing of the front door: operations from a schema, hostile requests, and the promise each answer must keep. */
export * from './operations.js';
export * from './requests.js';
