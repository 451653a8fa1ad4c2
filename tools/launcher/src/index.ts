export * from './stack.js';
export * from './seed.js';
