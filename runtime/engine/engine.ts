/**
 * The engine: starts runs (checked input, trigger guards, idempotency keys,
 * concurrency limits), resumes unfinished runs on start, answers callers
 * waiting for a run, and takes operations, events and callbacks, which it
 * hands to the run loop (run-driver.ts).
 */

import { randomUUID } from 'node:crypto'
import {
  type CompiledStep,
  type JsonLimits,
  type JsonValue,
  validateValue,
} from '../../types/index.js'
import type { Catalog, LoadedFlow } from '../catalog/catalog.js'
import { invalidDocument, valueOverLimits, WeirError } from '../errors.js'
import type { Executor } from '../executor/executor.js'
import { sortableId } from '../ids.js'
import type { SecretReader } from '../secrets/task-environment.js'
import { type RefusedStart, type RunRecord, terminalStatuses } from '../store/records.js'
import type { ClaimedRun, RunProgress, Store } from '../store/store.js'
import type { CallbackBody } from './callbacks.js'
import { type Clock, systemClock } from './clock.js'
import { limitOf } from './concurrency.js'
import { type ClaimTarget, defaultLease, NodeLeases, type NodeSettings } from './node-leases.js'
import { type EngineLogger, RunDriver } from './run-driver.js'
import * as operations from './run-operations.js'
import { RunState } from './run-state.js'
import * as waits from './step-waits.js'
import { checkGuard, type TriggerSelector } from './trigger-guard.js'

export type { EngineLogger } from './run-driver.js'

/**
 * Bounds on what the engine holds in memory, so that a flood of starts or of
 * waiting callers is refused (`unavailable`, retry later) instead of
 * exhausting memory. Recovery and operations (retry) are not bounded: what is
 * stored must run.
 */
export interface EngineLimits {
  /** Most runs held in memory: running, waiting, paused and queued (WEIR_MAX_ACTIVE_RUNS). */
  readonly maxActiveRuns: number
  /** Most callers waiting for a run at once, HTTP `?wait` callers (WEIR_MAX_WAITERS). */
  readonly maxWaiters: number
}

/** The defaults, as `weir serve` has them (runtime/config.ts). */
export const defaultEngineLimits: EngineLimits = Object.freeze({
  maxActiveRuns: 20_000,
  maxWaiters: 2_000,
})

export interface EngineOptions {
  readonly store: Store
  readonly executor: Executor
  readonly catalog: Catalog
  readonly clock?: Clock
  readonly logger?: EngineLogger
  readonly limits?: Partial<EngineLimits>
  /** Opens the secrets tasks name in `capabilities.env`. */
  readonly secrets?: SecretReader
  /** This node: its id (stable across restarts) and lease timing; a random id by default. */
  readonly node?: Partial<NodeSettings>
}

export interface StartOptions {
  readonly version?: number
  readonly idempotencyKey?: string
}

/** A start through a trigger: a run, or the refusal of the trigger's guard. */
export type GuardedStart =
  | { readonly started: true; readonly run: RunRecord; readonly created: boolean }
  | { readonly started: false; readonly refused: RefusedStart }

/** Refuses an input that does not match the flow's input schema, with every problem. */
function checkInput(loaded: LoadedFlow, input: JsonValue, limits: JsonLimits): void {
  const tooLarge = valueOverLimits('the input', input, limits)
  if (tooLarge) throw tooLarge
  const schema = loaded.record.document.input
  const problems = schema ? validateValue(schema, input) : []
  if (problems.length > 0)
    throw invalidDocument(
      `the input does not match flow ${loaded.record.name}'s input schema`,
      problems,
    )
}

export class Engine implements ClaimTarget {
  readonly #driver: RunDriver
  readonly #leases: NodeLeases
  readonly #limits: EngineLimits
  /** Starts between the bound check and the run joining the driver's runs. */
  #starting = 0
  /** Places taken by callers that wait for a run (reserveWaiter). */
  #waiting = 0

  constructor(options: EngineOptions) {
    this.#limits = { ...defaultEngineLimits, ...options.limits }
    const node: NodeSettings = {
      ...defaultLease,
      ...options.node,
      id: options.node?.id ?? `node-${randomUUID()}`,
    }
    this.#driver = new RunDriver({
      store: options.store,
      executor: options.executor,
      catalog: options.catalog,
      clock: options.clock ?? systemClock,
      logger: options.logger,
      secrets: options.secrets,
      node,
    })
    this.#leases = new NodeLeases(options.store, node, options.logger)
  }

  /** This node's id and lease timing. */
  get node(): NodeSettings {
    return this.#driver.node
  }

  /** True once stop() was called: no new runs are taken. */
  get stopping(): boolean {
    return this.#driver.stopping
  }

  /**
   * Starts this node's part in run ownership: takes back the runs it owned
   * before a restart and every run no node holds, resuming each from its last
   * committed step, then keeps renewing its leases and claiming runs whose
   * owner is gone. Returns how many runs it took.
   */
  recover(): Promise<number> {
    return this.#leases.start(this)
  }

  /** How many more runs this node takes now (its active-run bound). */
  room(): number {
    return this.#limits.maxActiveRuns - this.#driver.runs.size - this.#starting
  }

  /** Drives runs this node claimed, each fenced by the epoch of its claim. */
  async adoptClaimed(claimed: readonly ClaimedRun[]): Promise<void> {
    for (const { run, progress, values, epoch } of claimed) {
      if (this.#driver.runs.has(run.id)) continue
      const loaded = await this.#driver.catalog.loadFlow(run.flow.name, run.flow.version)
      const state = new RunState(run, loaded, progress, values)
      state.epoch = epoch
      if (state.status === 'queued') {
        this.#driver.runs.set(state.id, state)
        this.#driver.slots.enqueue(state)
        continue
      }
      const limit = limitOf(state)
      if (limit !== undefined) {
        // A run that was going holds its slot again, even if the limit was lowered meanwhile.
        this.#driver.slots.tryAcquire(loaded.record.name, Number.POSITIVE_INFINITY)
        state.holdsSlot = true
      }
      this.#driver.adopt(state)
    }
    for (const flow of this.#driver.slots.queuedFlows) await this.#driver.startQueued(flow)
  }

  /**
   * Starts a run as a trigger does: the trigger's `when` guard (the flow's http
   * trigger, or the trigger at an index) decides first; a refusal is recorded
   * and answered, not thrown.
   */
  async startGuarded(
    flowName: string,
    input: JsonValue,
    trigger: TriggerSelector,
    options: StartOptions = {},
  ): Promise<GuardedStart> {
    const loaded = await this.#driver.catalog.loadFlow(flowName, options.version)
    checkInput(loaded, input, this.#driver.catalog.limits.value)
    const flow = { flow: loaded.record.name, version: loaded.record.version }
    const verdict = checkGuard(loaded.compiled, trigger, input, flow)
    if (verdict.allowed) return { started: true, ...(await this.#create(loaded, input, options)) }
    const now = this.#driver.clock.now()
    const refused: RefusedStart = {
      id: sortableId(now),
      flow: { name: flow.flow, version: flow.version },
      trigger: verdict.trigger,
      input,
      reason: verdict.reason,
      code: verdict.code,
      createdAt: now,
    }
    await this.#driver.store.recordRefusedStart(refused)
    this.#driver.logger?.info(
      { ...flow, trigger: verdict.trigger, reason: verdict.reason, code: verdict.code },
      'start refused',
    )
    return { started: false, refused }
  }

  /** Starts a run of a published flow; with an idempotency key, a second start returns the first run. */
  async startRun(
    flowName: string,
    input: JsonValue,
    options: StartOptions = {},
  ): Promise<{ run: RunRecord; created: boolean }> {
    if (this.#driver.stopping)
      throw new WeirError('unavailable', 'the server is stopping and takes no new runs')
    const loaded = await this.#driver.catalog.loadFlow(flowName, options.version)
    checkInput(loaded, input, this.#driver.catalog.limits.value)
    return this.#create(loaded, input, options)
  }

  /** Creates a run of a loaded flow for a checked input, queued when the flow's limit is reached. */
  async #create(
    loaded: LoadedFlow,
    input: JsonValue,
    options: StartOptions,
  ): Promise<{ run: RunRecord; created: boolean }> {
    if (this.#driver.stopping)
      throw new WeirError('unavailable', 'the server is stopping and takes no new runs')
    const { maxActiveRuns } = this.#limits
    if (this.#driver.runs.size + this.#starting >= maxActiveRuns)
      throw new WeirError(
        'unavailable',
        `weir holds ${maxActiveRuns} active runs, its limit (WEIR_MAX_ACTIVE_RUNS); retry later`,
      )
    this.#starting++
    let counted = true
    const joined = () => {
      if (!counted) return
      counted = false
      this.#starting--
    }
    try {
      return await this.#createCounted(loaded, input, options, joined)
    } finally {
      joined()
    }
  }

  /** The start itself; `joined` is called when the run is about to join the driver's runs (or is not new). */
  async #createCounted(
    loaded: LoadedFlow,
    input: JsonValue,
    options: StartOptions,
    joined: () => void,
  ): Promise<{ run: RunRecord; created: boolean }> {
    const now = this.#driver.clock.now()
    const first = loaded.compiled.steps[0] as CompiledStep
    const timeout = loaded.record.document.timeoutMs
    const limit = loaded.record.document.concurrency?.limit
    const queued = limit !== undefined && !this.#driver.slots.tryAcquire(loaded.record.name, limit)
    const progress: RunProgress = {
      status: queued ? 'queued' : 'running',
      currentStep: first.id,
      attempt: 1,
      stepSeq: 1,
      stepRuns: 1,
      previousStep: undefined,
      wakeAt: undefined,
      deadline: timeout === undefined || queued ? undefined : now + timeout,
      eventSeq: 1,
      ...(queued ? {} : { startedAt: now }),
    }
    const id = sortableId(now)
    const holdsSlot = limit !== undefined && !queued
    const result = await this.#driver.store
      .createRun({
        id,
        flow: { name: loaded.record.name, version: loaded.record.version },
        process: loaded.record.process,
        input,
        createdAt: now,
        ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
        owner: { node: this.#driver.node.id, leaseMs: this.#driver.node.leaseMs },
        progress,
        events: [
          {
            type: queued ? 'run_queued' : 'run_started',
            at: now,
            data: { flow: loaded.record.name, version: loaded.record.version },
          },
        ],
      })
      .catch((error: unknown) => {
        // Nothing was stored: the slot taken for this run is free again.
        if (holdsSlot) this.#driver.slots.release(loaded.record.name)
        throw error
      })
    // Nothing is awaited between here and the run joining the driver's runs: counted once.
    joined()
    if (!result.created) {
      if (holdsSlot) this.#driver.slots.release(loaded.record.name)
      return result
    }
    const state = new RunState(
      { id, input, createdAt: now, idempotencyKey: options.idempotencyKey },
      loaded,
      progress,
    )
    if (this.#driver.logger) this.#driver.logStatus(state)
    state.holdsSlot = holdsSlot
    // The run is this node's at epoch 1 (createRun stored it so).
    state.epoch = 1
    if (queued) {
      this.#driver.runs.set(id, state)
      this.#driver.slots.enqueue(state)
      // Started by itself if a slot freed meanwhile; the start is answered now, whatever storage does.
      void this.#driver
        .startQueued(loaded.record.name)
        .catch((error: Error) =>
          this.#driver.logger?.error(
            { flow: loaded.record.name, err: error },
            'could not start a queued run',
          ),
        )
    } else {
      this.#driver.adopt(state)
    }
    return { run: state.toRecord(), created: true }
  }

  /**
   * Takes one of the `maxWaiters` places for a caller about to start a run and
   * wait for it, before the run starts, so that a refused caller has started
   * nothing and may simply retry. The returned function gives the place back.
   */
  reserveWaiter(): () => void {
    const { maxWaiters } = this.#limits
    if (this.#waiting >= maxWaiters)
      throw new WeirError(
        'unavailable',
        `weir has ${maxWaiters} callers waiting for runs, its limit (WEIR_MAX_WAITERS); retry later, or start without ?wait`,
      )
    this.#waiting++
    let released = false
    return () => {
      if (released) return
      released = true
      this.#waiting--
    }
  }

  /** The run once it has finished, or undefined when it has not within `timeoutMs`. */
  async waitForRun(id: string, timeoutMs: number): Promise<RunRecord | undefined> {
    const active = this.#driver.runs.get(id)
    if (!active) {
      const stored = await this.#driver.store.getRun(id)
      return stored && terminalStatuses.has(stored.status) ? stored : undefined
    }
    return new Promise((resolve) => {
      const waiters = this.#driver.waiters.get(id) ?? new Set()
      const done = (run: RunRecord | undefined) => {
        cancel()
        waiters.delete(done)
        if (waiters.size === 0 && this.#driver.waiters.get(id) === waiters)
          this.#driver.waiters.delete(id)
        resolve(run)
      }
      const cancel = this.#driver.clock.at(this.#driver.clock.now() + timeoutMs, () =>
        done(undefined),
      )
      waiters.add(done)
      this.#driver.waiters.set(id, waiters)
    })
  }

  /** The in-memory view of an active run (fresher than the store between commits? no: the same). */
  activeRun(id: string): RunRecord | undefined {
    return this.#driver.runs.get(id)?.toRecord()
  }

  /**
   * Stops taking work: no new run or attempt starts, and callers waiting for a
   * run are answered now. Resolves when the attempts in flight have committed,
   * or after `graceMs`: attempts still running then are not committed when
   * they end, and recovery runs them again on the next start.
   */
  /**
   * Stops: no new runs or claims, waiting callers answered, attempts in flight
   * given `graceMs` to commit; then this node's leases are released, so that
   * other nodes take its runs at once.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#driver.stopping = true
    await this.#leases.halt()
    for (const state of this.#driver.runs.values()) state.cancelTimer?.()
    for (const waiters of [...this.#driver.waiters.values()])
      for (const waiter of [...waiters]) waiter(undefined)
    const settled = Promise.allSettled([...this.#driver.drivers])
    if (Number.isFinite(graceMs)) {
      let timer: NodeJS.Timeout | undefined
      const expired = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs)
      })
      await Promise.race([settled, expired])
      clearTimeout(timer)
      this.#driver.abandoned = true
    } else await settled
    await this.#leases.release()
  }

  /** Stops the run after its current step (immediately when it is between steps). */
  cancel(id: string): Promise<RunRecord> {
    return operations.cancel(this.#driver, id)
  }

  /** Stops the run now: an attempt in flight is killed. */
  terminate(id: string): Promise<RunRecord> {
    return operations.terminate(this.#driver, id)
  }

  /** Halts the run before its next step. */
  pause(id: string): Promise<RunRecord> {
    return operations.pause(this.#driver, id)
  }

  resume(id: string): Promise<RunRecord> {
    return operations.resume(this.#driver, id)
  }

  /** Restarts a failed run from the step that failed, keeping the outputs of the steps before it. */
  retry(id: string): Promise<RunRecord> {
    return operations.retry(this.#driver, id)
  }

  /** Delivers an event to the run's waitFor step (see step-waits.ts). */
  deliverEvent(id: string, name: string, payload: JsonValue): Promise<RunRecord> {
    return waits.deliverEvent(this.#driver, id, name, payload)
  }

  /** The callback of an async step: complete, fail or keep alive (see step-waits.ts). */
  callback(token: string, body: CallbackBody): Promise<{ run: RunRecord; step: string }> {
    return waits.callback(this.#driver, token, body)
  }
}
