export * from './stack.js';
export * from './seed.js';
export * from './state.js';
