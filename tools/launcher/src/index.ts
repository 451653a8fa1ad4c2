export * from './stack.js';
export * from './seed.js';
export { haproxyConfig, PIN_HEADER, SERVED_BY_HEADER, serverName, type Balanced } from './balancer.js';
export { STACK_SERVICES, type StackService } from './services.js';
export * from './stores-only.js';
