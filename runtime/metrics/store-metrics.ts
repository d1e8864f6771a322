/**
 * The store's metrics: the size and duration of every group commit of run
 * changes (observed as each transaction commits), and the active runs of the
 * whole store by status, counted at scrape time. Those carry
 * `source="store"`: every node reads the same rows, so a dashboard takes one
 * node's value (max), never the sum over nodes.
 */
import { Gauge, Histogram, type Registry } from 'prom-client'
import type { ActiveRunStatus, GroupCommitObserver, StoreStats } from '../store/store-stats.js'

const activeStatuses: readonly ActiveRunStatus[] = ['queued', 'running', 'waiting', 'paused']

/** Changes per transaction: 1 when idle, up to the committer's 1,000 under load. */
const sizeBuckets = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]

/** Seconds, from 100 µs (a WAL commit) to a second (a database under strain). */
const commitBuckets = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1,
]

/** The group-commit histograms; returns the observer the store reports each transaction to. */
export function groupCommitMetrics(registry: Registry): GroupCommitObserver {
  const size = new Histogram({
    name: 'weir_group_commit_size',
    help: 'Run changes (and new runs) written per group-commit transaction',
    buckets: sizeBuckets,
    registers: [registry],
  })
  const duration = new Histogram({
    name: 'weir_group_commit_duration_seconds',
    help: 'Time to write and commit one group-commit transaction',
    buckets: commitBuckets,
    registers: [registry],
  })
  return (changes, seconds) => {
    size.observe(changes)
    duration.observe(seconds)
  }
}

/**
 * `weir_runs{status, source="store"}`, read from the store at each scrape.
 * When the store cannot answer, the series are left out of that scrape
 * rather than shown stale.
 */
export function storeRunGauges(
  registry: Registry,
  stats: Pick<StoreStats, 'activeRunCounts'>,
): void {
  new Gauge({
    name: 'weir_runs',
    help: 'Active runs in the store (every node), by status; read from the store at scrape time: do not sum across nodes',
    labelNames: ['status', 'source'],
    registers: [registry],
    async collect() {
      this.reset()
      const counts = await stats.activeRunCounts().catch(() => undefined)
      if (!counts) return
      for (const status of activeStatuses) this.set({ status, source: 'store' }, counts[status])
    },
  })
}
