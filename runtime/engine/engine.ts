/**
 * The engine: starts runs (checked input, trigger guards, idempotency keys,
 * concurrency limits), resumes unfinished runs on start, answers callers
 * waiting for a run, and takes operations, events and callbacks, which it
 * hands to the run loop (run-driver.ts).
 */

import { randomUUID } from 'node:crypto'
import type { JsonValue } from '../../types/index.js'
import type { Catalog, LoadedFlow } from '../catalog/catalog.js'
import { WeirError } from '../errors.js'
import type { Executor } from '../executor/executor.js'
import { sortableId } from '../ids.js'
import type { SecretReader } from '../secrets/task-environment.js'
import type { RefusedStart, RunRecord } from '../store/records.js'
import type { ClaimedRun, Store } from '../store/store.js'
import { type CallbackBody, parseCallbackToken } from './callbacks.js'
import { type Clock, systemClock } from './clock.js'
import {
  type ClaimTarget,
  defaultLease,
  NodeLeases,
  type NodeSettings,
  type TakeoverObserver,
} from './node-leases.js'
import { applyRequest, atOwner } from './owner-routing.js'
import { adoptClaimed } from './run-adoption.js'
import { type EngineLogger, RunDriver, type RunObserver } from './run-driver.js'
import * as operations from './run-operations.js'
import { RequestInbox, type RunRequest } from './run-requests.js'
import { checkInput, createRun } from './run-starts.js'
import { waitForRun } from './run-waiters.js'
import * as waits from './step-waits.js'
import { checkGuard, type TriggerSelector } from './trigger-guard.js'

export type { EngineLogger, RunObserver } from './run-driver.js'

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
  /** Told of every committed change of a run (tracing, metrics). */
  readonly observers?: readonly RunObserver[]
  /** Told of runs this node takes over from other nodes (metrics); none by default. */
  readonly takeovers?: TakeoverObserver
}

export interface StartOptions {
  readonly version?: number
  readonly idempotencyKey?: string
  /** The W3C trace context of the caller (a start's `traceparent` header): stored with the run. */
  readonly traceparent?: string
}

/** A start through a trigger: a run, or the refusal of the trigger's guard. */
export type GuardedStart =
  | { readonly started: true; readonly run: RunRecord; readonly created: boolean }
  | { readonly started: false; readonly refused: RefusedStart }

export class Engine implements ClaimTarget {
  readonly #driver: RunDriver
  readonly #leases: NodeLeases
  readonly #takeovers: TakeoverObserver | undefined
  readonly #inbox: RequestInbox
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
      observers: options.observers,
    })
    this.#takeovers = options.takeovers
    this.#leases = new NodeLeases(options.store, node, options.logger, options.takeovers)
    this.#inbox = new RequestInbox({
      store: options.store,
      node: node.id,
      apply: (request) => applyRequest(this.#driver, request),
      holds: (runId) => this.#driver.holds(runId),
      logger: options.logger,
    })
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
  async recover(): Promise<number> {
    const taken = await this.#leases.start(this)
    this.#inbox.start()
    return taken
  }

  /** How many more runs this node takes now (its active-run bound). */
  room(): number {
    return this.#limits.maxActiveRuns - this.#driver.activeCount - this.#starting
  }

  held(): number {
    return this.#driver.activeCount
  }

  holds(id: string): boolean {
    return this.#driver.holds(id)
  }

  heldIds(): string[] {
    return this.#driver.heldIds()
  }

  release(id: string, message: string): void {
    this.#driver.release(id, message)
  }

  /** Queued runs try for a slot again: slots may have freed on other nodes. */
  afterClaims(): Promise<void> {
    return this.#driver.startAllQueued()
  }

  /** Drives runs this node claimed, each fenced by the epoch of its claim. */
  adoptClaimed(claimed: readonly ClaimedRun[]): Promise<void> {
    return adoptClaimed(this.#driver, claimed)
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
    if (this.#driver.activeCount + this.#starting >= maxActiveRuns)
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
      return await createRun(this.#driver, loaded, input, options, joined)
    } finally {
      joined()
    }
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
  waitForRun(id: string, timeoutMs: number): Promise<RunRecord | undefined> {
    return waitForRun(this.#driver, id, timeoutMs)
  }

  /** The in-memory view of a run this node drives (the same as its stored row). */
  activeRun(id: string): RunRecord | undefined {
    return this.#driver.activeRecord(id)
  }

  /**
   * Stops taking work: no new run, attempt or claim starts, and callers
   * waiting for a run are answered now. Resolves when the attempts in flight
   * have committed, or after `graceMs`: attempts still running then are not
   * committed when they end, and recovery runs them again. Then this node's
   * leases are released, so that other nodes take its runs at once.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#driver.stopping = true
    await this.#leases.halt()
    await this.#inbox.stop()
    await this.#driver.windDown(graceMs)
    await this.#leases.release()
  }

  /** Applies a request here, or at the node that drives the run (owner-routing.ts). */
  #atOwner<T>(request: RunRequest, local: () => Promise<T>): Promise<T> {
    // A run claimed here is one whose owner's lease expired: a takeover.
    const adopt = (claimed: readonly ClaimedRun[]) => {
      this.#takeovers?.tookOver(claimed.length)
      return this.adoptClaimed(claimed)
    }
    return atOwner(this.#driver, adopt, request, local)
  }

  /** Stops the run after its current step (immediately when it is between steps). */
  cancel(id: string): Promise<RunRecord> {
    return this.#atOwner({ runId: id, kind: 'cancel', body: {} }, () =>
      operations.cancel(this.#driver, id),
    )
  }

  /** Stops the run now: an attempt in flight is killed. */
  terminate(id: string): Promise<RunRecord> {
    return this.#atOwner({ runId: id, kind: 'terminate', body: {} }, () =>
      operations.terminate(this.#driver, id),
    )
  }

  /** Halts the run before its next step. */
  pause(id: string): Promise<RunRecord> {
    return this.#atOwner({ runId: id, kind: 'pause', body: {} }, () =>
      operations.pause(this.#driver, id),
    )
  }

  resume(id: string): Promise<RunRecord> {
    return this.#atOwner({ runId: id, kind: 'resume', body: {} }, () =>
      operations.resume(this.#driver, id),
    )
  }

  /** Restarts a failed run from the step that failed, keeping the outputs of the steps before it. */
  retry(id: string): Promise<RunRecord> {
    return operations.retry(this.#driver, id)
  }

  /** Delivers an event to the run's waitFor step (see step-waits.ts). */
  deliverEvent(id: string, name: string, payload: JsonValue): Promise<RunRecord> {
    return this.#atOwner({ runId: id, kind: 'event', body: { name, payload } }, () =>
      waits.deliverEvent(this.#driver, id, name, payload),
    )
  }

  /** The callback of an async step: complete, fail or keep alive (see step-waits.ts). */
  callback(token: string, body: CallbackBody): Promise<{ run: RunRecord; step: string }> {
    const local = () => waits.callback(this.#driver, token, body)
    const named = parseCallbackToken(token)
    if (!named) return local()
    const request: RunRequest = {
      runId: named.runId,
      kind: 'callback',
      body: { token, body: body as unknown as JsonValue },
    }
    return this.#atOwner(request, local)
  }
}
