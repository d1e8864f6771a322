/**
 * The run loop: drives every active run one step at a time (many runs at
 * once, bounded by the executor), commits each step's outcome, next pointer
 * and history in one transaction, keeps timers, deadlines and concurrency
 * slots, and finishes runs. The Engine (engine.ts) is its public face; waits
 * (step-waits.ts) and operations (run-operations.ts) work through it, so that
 * one run never has two writers in this process. A commit that storage
 * refuses is tried again from the run loop until it takes (run-commit.ts).
 */

import type { JsonValue } from '../../types/index.js'
import type { Catalog } from '../catalog/catalog.js'
import { FencedError, NoSlotError, WeirError } from '../errors.js'
import type { Executor } from '../executor/executor.js'
import { noSecrets, type SecretReader } from '../secrets/task-environment.js'
import { type RunError, type RunRecord, terminalStatuses } from '../store/records.js'
import type { RunChange, Store } from '../store/store.js'
import { withLinks } from './child-runs.js'
import type { Clock } from './clock.js'
import { compensating } from './compensations.js'
import { ConcurrencySlots } from './concurrency.js'
import type { NodeSettings } from './node-leases.js'
import { commitChange, inBackground, letGo } from './run-commit.js'
import { type EngineLogger, logStatus, type RunObserver } from './run-observers.js'
import type { RunState } from './run-state.js'
import { runStep } from './run-step.js'
import { type RetryContext, retryContext } from './storage-retry.js'
import { statusChange } from './transitions.js'

/** Where the engine reports run state changes (info) and runs it had to drop (error); pino fits. */

export type { EngineLogger, RunObserver } from './run-observers.js'

export interface DriverOptions {
  readonly store: Store
  readonly executor: Executor
  readonly catalog: Catalog
  readonly clock: Clock
  readonly logger: EngineLogger | undefined
  /** Opens the secrets tasks name in `capabilities.env` (none: such tasks fail their attempts). */
  readonly secrets?: SecretReader | undefined
  /** This node: the owner its runs are stored with. */
  readonly node: NodeSettings
  /** Told of every committed change (tracing, metrics); none by default. */
  readonly observers?: readonly RunObserver[] | undefined
}

export class RunDriver {
  readonly store: Store
  readonly executor: Executor
  readonly catalog: Catalog
  readonly clock: Clock
  readonly logger: EngineLogger | undefined
  readonly secrets: SecretReader
  readonly node: NodeSettings
  readonly observers: readonly RunObserver[]
  /** The active runs of this process, by id. */
  readonly runs = new Map<string, RunState>()
  /** Callers waiting for a run to finish. */
  readonly waiters = new Map<string, Set<(run: RunRecord | undefined) => void>>()
  readonly drivers = new Set<Promise<void>>()
  readonly slots = new ConcurrencySlots()
  /** Runs whose changes the run loop commits now: storage faults are waited out for these. */
  readonly looping = new Set<RunState>()
  readonly retries: RetryContext
  #stopping = false
  /** Set when stop() gave up waiting: attempts still in flight are left to recovery, not committed. */
  abandoned = false

  constructor(options: DriverOptions) {
    this.store = options.store
    this.executor = options.executor
    this.catalog = options.catalog
    this.clock = options.clock
    this.logger = options.logger
    this.secrets = options.secrets ?? noSecrets
    this.node = options.node
    this.observers = options.observers ?? []
    this.retries = retryContext(this, options.clock)
  }

  /** True once stop() began: no new run or attempt; commits waiting for storage give up. */
  get stopping(): boolean {
    return this.#stopping
  }

  set stopping(value: boolean) {
    this.#stopping = value
    if (value) this.retries.pauses.wakeAll()
  }

  /** True when this node drives the run (it is in memory). */
  holds(id: string): boolean {
    return this.runs.has(id)
  }

  /** The record of a run this node drives, from memory. */
  activeRecord(id: string): RunRecord | undefined {
    return this.runs.get(id)?.toRecord()
  }

  /** The ids of the runs this node holds. */
  heldIds(): string[] {
    return [...this.runs.keys()]
  }

  /** Lets a run go from memory (the store says it is not this node's): timers, attempt, slot, waiters. */
  release(id: string, message: string): void {
    const state = this.runs.get(id)
    if (state) letGo(this, state, message)
  }

  /** How many runs this node holds: running, waiting, paused and queued. */
  get activeCount(): number {
    return this.runs.size
  }

  /** A queued run held here, waiting for a slot of its flow's limit. */
  enqueue(state: RunState): void {
    this.runs.set(state.id, state)
    this.slots.enqueue(state)
  }

  /**
   * After stopping was set: timers are cancelled and callers waiting for a run
   * answered now; resolves when the runs being driven have stopped, or after
   * `graceMs` — attempts still running then are not committed when they end.
   */
  async windDown(graceMs: number): Promise<void> {
    for (const state of this.runs.values()) state.cancelTimer?.()
    for (const waiters of [...this.waiters.values()])
      for (const waiter of [...waiters]) waiter(undefined)
    const settled = Promise.allSettled([...this.drivers])
    if (!Number.isFinite(graceMs)) {
      await settled
      return
    }
    let timer: NodeJS.Timeout | undefined
    const expired = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs)
    })
    await Promise.race([settled, expired])
    clearTimeout(timer)
    this.abandoned = true
  }

  adopt(state: RunState): void {
    this.runs.set(state.id, state)
    this.scheduleDeadline(state)
    this.kick(state)
  }

  /** Starts driving a run now, or schedules its wake-up. */
  kick(state: RunState): void {
    const { status, wakeAt } = state.progress
    if (status === 'paused' || status === 'queued' || terminalStatuses.has(status)) return
    if (wakeAt !== undefined && wakeAt > this.clock.now()) {
      state.cancelTimer?.()
      state.cancelTimer = this.clock.at(wakeAt, () => {
        state.cancelTimer = undefined
        this.kick(state)
      })
      return
    }
    if (state.driving) {
      // Driven now: it looks again once this drive ends (a child may have ended meanwhile).
      state.kickAgain = true
      return
    }
    if (this.stopping) return
    const driver = this.drive(state).catch((error: Error) => {
      if (error instanceof FencedError) return
      const fields = { run: state.id, flow: state.loaded.record.name, err: error }
      if (this.logger) this.logger.error(fields, 'run stopped')
      else console.error(`weir: run ${state.id} stopped: ${error.message}`)
    })
    this.drivers.add(driver)
    void driver.finally(() => this.drivers.delete(driver))
  }

  scheduleDeadline(state: RunState): void {
    const deadline = state.progress.deadline
    if (deadline === undefined || terminalStatuses.has(state.status)) return
    this.clock.at(deadline, () => {
      if (terminalStatuses.has(state.status)) return
      // The deadline was moved (a retry) or dropped (compensations began) since.
      if (state.progress.deadline !== deadline) return
      if (state.inFlight) {
        state.requested = 'terminate'
        state.inFlight.stop()
        return
      }
      if (!state.driving) inBackground(this, state, () => this.timeOut(state))
      // Driven now: the drive applies the deadline, or, if it has just ended, the next one does.
      else state.kickAgain = true
    })
  }

  /**
   * Commits a change of the run and adopts it. The run loop's commits
   * (`retry`) wait out storage faults; a caller's are tried once (run-commit.ts).
   */
  commit(state: RunState, change: RunChange, retry = this.looping.has(state)): Promise<void> {
    const adjusted = compensating(this, state, change)
    if (!(adjusted instanceof Promise)) return this.#commitLinked(state, adjusted, retry)
    return adjusted.then(async (begun) => {
      await this.#commitLinked(state, begun, retry)
      // A run that begins its compensations goes on (a cancel between steps ends no drive that would).
      if (begun !== change) this.kick(state)
    })
  }

  #commitLinked(state: RunState, change: RunChange, retry: boolean): Promise<void> {
    const linked = withLinks(state, change, this.clock.now())
    const fenced = state.epoch === undefined ? linked : { ...linked, epoch: state.epoch }
    return commitChange(this, state, fenced, retry)
  }

  /** A child of this run ended (or a notice says so): the run looks at its wait again. */
  wake(id: string): void {
    const state = this.runs.get(id)
    if (state) this.kick(state)
  }

  /** The run's state after `change` committed: its progress, its log line, its end. */
  committed(state: RunState, change: RunChange): void {
    const previous = state.progress.status
    state.progress = change.progress
    if (this.logger && previous !== change.progress.status) logStatus(this.logger, state)
    for (const observer of this.observers) observer.committed(state, change, previous)
    if (terminalStatuses.has(change.progress.status)) this.finish(state)
  }

  /**
   * Starts the oldest queued runs of `flow` while its concurrency limit has
   * free slots — in this node's count, then in the store's, where other nodes'
   * runs count too. A run the store refuses a slot stays queued, first in
   * line; the lease loop tries again (`startAllQueued`).
   */
  async startQueued(flow: string): Promise<void> {
    for (;;) {
      if (this.stopping) return
      const state = this.slots.next(flow)
      if (!state) return
      state.holdsSlot = true
      const now = this.clock.now()
      const timeout = state.loaded.record.document.timeoutMs
      const change = statusChange(state.id, state.progress, 'running', 'run_started', now, {
        startedAt: state.progress.startedAt ?? now,
        deadline: timeout === undefined ? undefined : now + timeout,
      })
      const limit = state.loaded.record.document.concurrency?.limit
      try {
        await this.commit(
          state,
          limit === undefined ? change : { ...change, slot: { flow, limit } },
          true,
        )
      } catch (error) {
        // Still queued (first in line) whatever refused it: tried again at the next tick.
        state.holdsSlot = false
        this.slots.release(flow)
        if (this.runs.get(state.id) === state) this.slots.enqueue(state)
        if (!(error instanceof NoSlotError)) throw error
        return
      }
      this.scheduleDeadline(state)
      this.kick(state)
    }
  }

  /** Tries again to start the queued runs of every flow (slots may have freed on other nodes). */
  async startAllQueued(): Promise<void> {
    for (const flow of this.slots.queuedFlows) await this.startQueued(flow)
  }

  finish(state: RunState): void {
    state.cancelTimer?.()
    this.runs.delete(state.id)
    const flow = state.loaded.record.name
    this.slots.remove(state)
    if (state.holdsSlot) {
      state.holdsSlot = false
      this.slots.release(flow)
      void this.startQueued(flow).catch((error: Error) =>
        this.logger?.error({ flow, err: error }, 'could not start a queued run'),
      )
    }
    const record = state.toRecord()
    for (const waiter of this.waiters.get(state.id) ?? []) waiter(record)
    this.waiters.delete(state.id)
    // The parent, when this node drives it, is woken now; the stored notice wakes it anywhere else.
    if (state.parent) this.wake(state.parent.run)
  }

  async timeOut(state: RunState): Promise<void> {
    const ms = (state.progress.deadline ?? 0) - (state.progress.startedAt ?? state.createdAt)
    const step = state.currentStep
    const error: RunError = {
      step: step?.id ?? '',
      task: step?.task ? `${step.task.name}@${step.task.version}` : '',
      kind: 'timeout',
      message: `the run did not finish within its timeout of ${ms} ms`,
      attempt: state.progress.attempt,
    }
    await this.commit(
      state,
      statusChange(
        state.id,
        state.progress,
        'timed_out',
        'run_timed_out',
        this.clock.now(),
        { error },
        { error: error as unknown as JsonValue },
      ),
    )
  }

  /** Applies a requested operation at a point where the run is between steps; true when it stopped. */
  async applyRequested(state: RunState): Promise<boolean> {
    const at = this.clock.now()
    const { requested } = state
    if (!requested) return false
    state.requested = undefined
    if (requested === 'pause') {
      await this.commit(state, statusChange(state.id, state.progress, 'paused', 'run_paused', at))
    } else {
      const status = requested === 'cancel' ? 'cancelled' : 'terminated'
      await this.commit(
        state,
        statusChange(
          state.id,
          state.progress,
          status,
          requested === 'cancel' ? 'run_cancelled' : 'run_terminated',
          at,
        ),
      )
    }
    return true
  }

  async drive(state: RunState): Promise<void> {
    state.driving = true
    this.looping.add(state)
    try {
      for (;;) {
        if (await this.applyRequested(state)) return
        const { status, deadline, wakeAt } = state.progress
        if (status === 'paused' || terminalStatuses.has(status) || this.stopping) return
        if (this.runs.get(state.id) !== state) return
        const now = this.clock.now()
        if (deadline !== undefined && now >= deadline) {
          await this.timeOut(state)
          return
        }
        if (wakeAt !== undefined && wakeAt > now) {
          this.kick(state)
          return
        }
        // An event wait without a deadline: the event (deliverEvent) moves the run on.
        const waiting = state.progress.waiting
        const awaitsRuns =
          waiting?.kind === 'child' || waiting?.kind === 'branches' || waiting?.kind === 'items'
        if (waiting && wakeAt === undefined && !awaitsRuns) return
        // A child run still running: its end wakes this run; an operation or the
        // deadline that came meanwhile is applied now.
        if (await runStep(this, state)) continue
        const due =
          state.progress.deadline !== undefined && this.clock.now() >= state.progress.deadline
        if (!state.requested && !due) return
      }
    } finally {
      state.driving = false
      this.looping.delete(state)
      if (state.kickAgain) {
        state.kickAgain = false
        if (this.runs.get(state.id) === state) this.kick(state)
      }
    }
  }

  async operate(id: string): Promise<RunState> {
    const state = this.runs.get(id)
    if (state) return state
    const stored = await this.store.getRun(id)
    if (!stored) throw new WeirError('not_found', `run ${id} does not exist`)
    throw new WeirError('conflict', `run ${id} is ${stored.status}`)
  }
}
