export * from './finding';
export * from './rendered';
export * from './mesh-context';
export * from './object-index';
export * from './registry';
export * from './engine';
export * from './suppressions';
export { defaultRegistry } from './checks';
export * from './codes';
