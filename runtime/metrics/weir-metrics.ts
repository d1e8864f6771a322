/**
 * One server's metrics: a registry of its own (not prom-client's global one,
 * so that several servers or test apps in one process never share or collide
 * on series), the engine's observer (runs, steps, attempts, retries,
 * takeovers), the store's group-commit observer, the HTTP timing middleware,
 * and the gauges read at scrape time from the store, the executor and the
 * engine. `scrape()` answers `GET /metrics` in Prometheus's text format.
 */
import type { MiddlewareHandler } from 'hono'
import { collectDefaultMetrics, Registry } from 'prom-client'
import type { GroupCommitObserver, StoreStats } from '../store/store-stats.js'
import { httpMetrics } from './http-metrics.js'
import { type ExecutorLoad, executorGauges, type LeaseHolder, leaseGauge } from './node-metrics.js'
import { RunMetrics } from './run-metrics.js'
import { groupCommitMetrics, storeRunGauges } from './store-metrics.js'

/** What a server's metrics include beyond weir's own. */
export interface WeirMetricsOptions {
  /**
   * Also prom-client's process metrics (CPU, memory, event-loop lag, GC,
   * handles), prefixed `weir_`: for a server, which has the process to itself.
   */
  readonly processMetrics?: boolean
}

/** Where the scrape-time gauges read from (each optional: a gauge whose source is absent is left out). */
export interface MetricsSources {
  readonly store?: StoreStats
  readonly executor?: ExecutorLoad
  readonly engine?: LeaseHolder
}

/** The metrics of one server: build it first, hand its parts to the store, the engine and the app. */
export class WeirMetrics {
  readonly registry = new Registry()
  /** The engine's observer (EngineOptions `observers` and `takeovers`). */
  readonly runs: RunMetrics
  /** Times every request; the app's first middleware. */
  readonly timing: MiddlewareHandler
  /** Told each group commit of run changes (`store.stats.observeGroupCommits`). */
  readonly groupCommits: GroupCommitObserver
  #watched = false

  constructor(options: WeirMetricsOptions = {}) {
    this.runs = new RunMetrics(this.registry)
    this.timing = httpMetrics(this.registry)
    this.groupCommits = groupCommitMetrics(this.registry)
    if (options.processMetrics) collectDefaultMetrics({ register: this.registry, prefix: 'weir_' })
  }

  /** Adds the gauges read at every scrape from these parts (once: a registry takes a name once). */
  watch(sources: MetricsSources): void {
    if (this.#watched) throw new Error('the metrics watch their sources already')
    this.#watched = true
    if (sources.store) storeRunGauges(this.registry, sources.store)
    if (sources.executor) executorGauges(this.registry, sources.executor)
    if (sources.engine) leaseGauge(this.registry, sources.engine)
  }

  /** The metrics in Prometheus's text exposition format, and its content type. */
  async scrape(): Promise<{ readonly contentType: string; readonly text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() }
  }
}
