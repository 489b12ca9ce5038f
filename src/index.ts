// Public API of cdk8s-istio.
export * as l1 from './l1';
export * from './istio-app';
export * from './istio-chart';
export * from './synthesis';
export * from './testing';
export * from './analysis';
