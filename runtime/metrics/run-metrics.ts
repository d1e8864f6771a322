/**
 * Runs, steps and attempts as metrics, counted where the engine tells its
 * observers of a committed change (RunDriver.committed): one call per change,
 * which reads what the change already holds — the child runs it creates, its
 * retry events, its step run and attempt rows, the run's new status. Labels
 * are flow and task names (bounded by what is published), statuses and
 * outcomes; never a run id.
 */
import { Counter, Histogram, type Registry } from 'prom-client'
import type { TakeoverObserver } from '../engine/node-leases.js'
import type { RunObserver } from '../engine/run-observers.js'
import type { RunState } from '../engine/run-state.js'
import { type RunStatus, terminalStatuses } from '../store/records.js'
import type { RunChange } from '../store/store.js'

/** Seconds, from a millisecond to five minutes: WAT attempts take microseconds, HTTP tasks seconds. */
export const durationBuckets = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300,
]

type StepRunRow = NonNullable<RunChange['stepRun']>

const seconds = (ms: number) => Math.max(0, ms) / 1000

/** The run, step, attempt, retry and takeover metrics of one registry. */
export class RunMetrics implements RunObserver, TakeoverObserver {
  readonly #started: Counter<'flow'>
  readonly #finished: Counter<'flow' | 'status'>
  readonly #retries: Counter<'flow'>
  readonly #takeovers: Counter
  readonly #steps: Histogram<'task'>
  readonly #attempts: Histogram<'task' | 'outcome'>
  /**
   * The start of a step run that outlived a change (a retry pending, an async
   * step's callback awaited): the step row keeps its first attempt's start,
   * the change that ends it carries its last. Held per run while it is in
   * memory; a run recovered or taken over meanwhile counts from its last attempt.
   */
  readonly #stepStarts = new WeakMap<RunState, { readonly seq: number; readonly at: number }>()

  constructor(registry: Registry) {
    const registers = [registry]
    this.#started = new Counter({
      name: 'weir_runs_started_total',
      help: 'Runs created on this node (started through the API, a trigger or a schedule, or as a child run), by flow',
      labelNames: ['flow'],
      registers,
    })
    this.#finished = new Counter({
      name: 'weir_runs_finished_total',
      help: 'Runs that reached a final status on this node, by flow and status (a retried run that ends again counts again)',
      labelNames: ['flow', 'status'],
      registers,
    })
    this.#retries = new Counter({
      name: 'weir_retries_total',
      help: 'Retries of a failed attempt scheduled (retry_scheduled events), by flow',
      labelNames: ['flow'],
      registers,
    })
    this.#takeovers = new Counter({
      name: 'weir_takeovers_total',
      help: 'Runs this node claimed whose owner had let its lease expire (or that no node owned)',
      registers,
    })
    this.#steps = new Histogram({
      name: 'weir_step_duration_seconds',
      help: "Task steps' durations, from their step run's first attempt's start to its end, by task",
      labelNames: ['task'],
      buckets: durationBuckets,
      registers,
    })
    this.#attempts = new Histogram({
      name: 'weir_attempt_duration_seconds',
      help: "Attempts' durations by task and outcome (succeeded, or the failure's kind: task_error, timeout, trap, …)",
      labelNames: ['task', 'outcome'],
      buckets: durationBuckets,
      registers,
    })
  }

  committed(state: RunState, change: RunChange | undefined, previous: RunStatus | undefined): void {
    const flow = state.loaded.record.name
    if (!change) {
      // A start created the run; child runs are counted with the change that creates them.
      if (!state.parent) this.#started.inc({ flow })
      return
    }
    if (change.children)
      for (const child of change.children) this.#started.inc({ flow: child.flow.name })
    for (const event of change.events)
      if (event.type === 'retry_scheduled') this.#retries.inc({ flow })
    const status = change.progress.status
    if (terminalStatuses.has(status) && (previous === undefined || !terminalStatuses.has(previous)))
      this.#finished.inc({ flow, status })
    const { stepRun, attempt } = change
    const task = stepRun?.task?.name
    // Steps without a task (sleeps, waits, sub-flows, set and fail steps) have no task to count by.
    if (!stepRun || task === undefined) return
    if (attempt) {
      const outcome =
        attempt.status === 'succeeded' ? 'succeeded' : (attempt.error?.kind ?? 'failed')
      this.#attempts.observe({ task, outcome }, seconds(attempt.finishedAt - attempt.startedAt))
    }
    this.#step(state, task, stepRun)
  }

  tookOver(count: number): void {
    if (count > 0) this.#takeovers.inc(count)
  }

  #step(state: RunState, task: string, stepRun: StepRunRow): void {
    const pending = this.#stepStarts.get(state)
    if (stepRun.status === 'waiting' || stepRun.status === 'running') {
      if (pending?.seq !== stepRun.seq)
        this.#stepStarts.set(state, { seq: stepRun.seq, at: stepRun.startedAt })
      return
    }
    if (pending) this.#stepStarts.delete(state)
    if (stepRun.finishedAt === undefined) return
    const began = pending?.seq === stepRun.seq ? pending.at : stepRun.startedAt
    this.#steps.observe({ task }, seconds(stepRun.finishedAt - began))
  }
}
