/** Prometheus metrics of one server: the registry, the engine's and the store's observers, the HTTP timing. @module */
export type { ExecutorLoad, LeaseHolder } from './node-metrics.js'
export { RunMetrics } from './run-metrics.js'
export { type MetricsSources, WeirMetrics, type WeirMetricsOptions } from './weir-metrics.js'
