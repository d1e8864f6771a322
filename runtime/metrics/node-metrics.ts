/**
 * This node's gauges, read at scrape time from the parts that know them:
 * the executor's busy workers and waiting attempts, and the active runs this
 * node holds (each under its lease). Nothing is counted on the hot path.
 */
import { Gauge, type Registry } from 'prom-client'

/** What the executor says of its load (WorkerPool has it). */
export interface ExecutorLoad {
  /** Worker threads. */
  readonly size: number
  /** Workers running or preparing an attempt; attempts waiting for one. */
  readonly load: { readonly busy: number; readonly queued: number }
}

/** The runs this node drives, each under a lease it renews (the Engine has it). */
export interface LeaseHolder {
  held(): number
}

/** `weir_executor_workers`, `…_workers_busy` and `…_queue_length`, read from the executor at each scrape. */
export function executorGauges(registry: Registry, executor: ExecutorLoad): void {
  const registers = [registry]
  new Gauge({
    name: 'weir_executor_workers',
    help: "Worker threads of this node's executor",
    registers,
    collect() {
      this.set(executor.size)
    },
  })
  new Gauge({
    name: 'weir_executor_workers_busy',
    help: 'Worker threads running (or preparing) an attempt',
    registers,
    collect() {
      this.set(executor.load.busy)
    },
  })
  new Gauge({
    name: 'weir_executor_queue_length',
    help: 'Attempts waiting for a worker (in the fair queue, or queued behind a running attempt)',
    registers,
    collect() {
      this.set(executor.load.queued)
    },
  })
}

/** `weir_leases_held`: the runs the engine holds now, read at each scrape. */
export function leaseGauge(registry: Registry, holder: LeaseHolder): void {
  new Gauge({
    name: 'weir_leases_held',
    help: 'Active runs this node owns and drives (each under a lease it renews)',
    registers: [registry],
    collect() {
      this.set(holder.held())
    },
  })
}
