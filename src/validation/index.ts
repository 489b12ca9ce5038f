/**
 * Kubernetes and Istio value rules in one place, each returning a {@link Problem} (what is wrong
 * and how to fix it) or undefined. Constructs, the values file and the analysis all use these.
 */
export * from './problem';
export * from './names';
export * from './network';
export * from './http';
export * from './suggest';
export * from './numbers';
