/**
 * The run loop: drives every active run one step at a time (many runs at
 * once, bounded by the executor), commits each step's outcome, next pointer
 * and history in one transaction, and resumes unfinished runs on start.
 * Operations on runs (cancel, terminate, pause, resume, retry) go through here,
 * so that one run never has two writers in this process.
 */
import { type CompiledStep, type JsonValue, validateValue } from '../../types/index.js'
import type { Catalog, LoadedFlow } from '../catalog/catalog.js'
import { WeirError } from '../errors.js'
import type { AttemptResult, Executor } from '../executor/executor.js'
import { sortableId } from '../ids.js'
import {
  type RefusedStart,
  type RunError,
  type RunRecord,
  terminalStatuses,
} from '../store/records.js'
import type { RunChange, RunProgress, Store } from '../store/store.js'
import {
  type CallbackBody,
  callbackTimeout,
  callbackWaitStarted,
  heartbeatChange,
  newCallbackToken,
  parseCallbackToken,
  tokenMatches,
} from './callbacks.js'
import { type Clock, systemClock } from './clock.js'
import { ConcurrencySlots, limitOf } from './concurrency.js'
import { decide, type Outcome } from './decide.js'
import { RunState } from './run-state.js'
import { stepInput } from './step-input.js'
import {
  type AttemptReport,
  attemptChange,
  interruptedChange,
  statusChange,
  waitStarted,
} from './transitions.js'
import { checkGuard, type TriggerSelector } from './trigger-guard.js'

/** Where the engine reports run state changes (info) and runs it had to drop (error); pino fits. */
export interface EngineLogger {
  info(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

export interface EngineOptions {
  readonly store: Store
  readonly executor: Executor
  readonly catalog: Catalog
  readonly clock?: Clock
  readonly logger?: EngineLogger
}

export interface StartOptions {
  readonly version?: number
  readonly idempotencyKey?: string
}

/** A start through a trigger: a run, or the refusal of the trigger's guard. */
export type GuardedStart =
  | { readonly started: true; readonly run: RunRecord; readonly created: boolean }
  | { readonly started: false; readonly refused: RefusedStart }

const defaultStepTimeoutMs = 30_000

/** Refuses an input that does not match the flow's input schema, with every problem. */
function checkInput(loaded: LoadedFlow, input: JsonValue): void {
  const schema = loaded.record.document.input
  const problems = schema ? validateValue(schema, input) : []
  if (problems.length > 0) {
    throw new WeirError(
      'invalid_document',
      `the input does not match flow ${loaded.record.name}'s input schema: ${problems[0]?.pointer || '/'}: ${problems[0]?.message}`,
      problems,
    )
  }
}

export class Engine {
  readonly #store: Store
  readonly #executor: Executor
  readonly #catalog: Catalog
  readonly #clock: Clock
  readonly #logger: EngineLogger | undefined
  readonly #runs = new Map<string, RunState>()
  readonly #waiters = new Map<string, Set<(run: RunRecord | undefined) => void>>()
  readonly #drivers = new Set<Promise<void>>()
  readonly #slots = new ConcurrencySlots()
  #stopping = false
  /** Set when stop() gave up waiting: attempts still in flight are left to recovery, not committed. */
  #abandoned = false

  constructor(options: EngineOptions) {
    this.#store = options.store
    this.#executor = options.executor
    this.#catalog = options.catalog
    this.#clock = options.clock ?? systemClock
    this.#logger = options.logger
  }

  /** True once stop() was called: no new runs are taken. */
  get stopping(): boolean {
    return this.#stopping
  }

  /** Resumes every unfinished run from its last committed step; returns how many. */
  async recover(): Promise<number> {
    const active = await this.#store.loadActiveRuns()
    for (const { run, progress, values } of active) {
      if (this.#runs.has(run.id)) continue
      const loaded = await this.#catalog.loadFlow(run.flow.name, run.flow.version)
      const state = new RunState(run, loaded, progress, values)
      if (state.status === 'queued') {
        this.#runs.set(state.id, state)
        this.#slots.enqueue(state)
        continue
      }
      const limit = limitOf(state)
      if (limit !== undefined) {
        // A run that was going holds its slot again, even if the limit was lowered meanwhile.
        this.#slots.tryAcquire(loaded.record.name, Number.POSITIVE_INFINITY)
        state.holdsSlot = true
      }
      this.#adopt(state)
    }
    for (const flow of this.#slots.queuedFlows) await this.#startQueued(flow)
    return active.length
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
    const loaded = await this.#catalog.loadFlow(flowName, options.version)
    checkInput(loaded, input)
    const flow = { flow: loaded.record.name, version: loaded.record.version }
    const verdict = checkGuard(loaded.compiled, trigger, input, flow)
    if (verdict.allowed) return { started: true, ...(await this.#create(loaded, input, options)) }
    const now = this.#clock.now()
    const refused: RefusedStart = {
      id: sortableId(now),
      flow: { name: flow.flow, version: flow.version },
      trigger: verdict.trigger,
      input,
      reason: verdict.reason,
      createdAt: now,
    }
    await this.#store.recordRefusedStart(refused)
    this.#logger?.info(
      { ...flow, trigger: verdict.trigger, reason: verdict.reason },
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
    if (this.#stopping)
      throw new WeirError('unavailable', 'the server is stopping and takes no new runs')
    const loaded = await this.#catalog.loadFlow(flowName, options.version)
    checkInput(loaded, input)
    return this.#create(loaded, input, options)
  }

  /** Creates a run of a loaded flow for a checked input, queued when the flow's limit is reached. */
  async #create(
    loaded: LoadedFlow,
    input: JsonValue,
    options: StartOptions,
  ): Promise<{ run: RunRecord; created: boolean }> {
    if (this.#stopping)
      throw new WeirError('unavailable', 'the server is stopping and takes no new runs')
    const now = this.#clock.now()
    const first = loaded.compiled.steps[0] as CompiledStep
    const timeout = loaded.record.document.timeoutMs
    const limit = loaded.record.document.concurrency?.limit
    const queued = limit !== undefined && !this.#slots.tryAcquire(loaded.record.name, limit)
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
    const result = await this.#store.createRun({
      id,
      flow: { name: loaded.record.name, version: loaded.record.version },
      process: loaded.record.process,
      input,
      createdAt: now,
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      progress,
      events: [
        {
          type: queued ? 'run_queued' : 'run_started',
          at: now,
          data: { flow: loaded.record.name, version: loaded.record.version },
        },
      ],
    })
    const holdsSlot = limit !== undefined && !queued
    if (!result.created) {
      if (holdsSlot) this.#slots.release(loaded.record.name)
      return result
    }
    const state = new RunState(
      { id, input, createdAt: now, idempotencyKey: options.idempotencyKey },
      loaded,
      progress,
    )
    if (this.#logger) this.#logStatus(state)
    state.holdsSlot = holdsSlot
    if (queued) {
      this.#runs.set(id, state)
      this.#slots.enqueue(state)
      await this.#startQueued(loaded.record.name)
    } else {
      this.#adopt(state)
    }
    return { run: state.toRecord(), created: true }
  }

  /** The run once it has finished, or undefined when it has not within `timeoutMs`. */
  async waitForRun(id: string, timeoutMs: number): Promise<RunRecord | undefined> {
    const active = this.#runs.get(id)
    if (!active) {
      const stored = await this.#store.getRun(id)
      return stored && terminalStatuses.has(stored.status) ? stored : undefined
    }
    return new Promise((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set()
      const done = (run: RunRecord | undefined) => {
        cancel()
        waiters.delete(done)
        if (waiters.size === 0 && this.#waiters.get(id) === waiters) this.#waiters.delete(id)
        resolve(run)
      }
      const cancel = this.#clock.at(this.#clock.now() + timeoutMs, () => done(undefined))
      waiters.add(done)
      this.#waiters.set(id, waiters)
    })
  }

  /** The in-memory view of an active run (fresher than the store between commits? no: the same). */
  activeRun(id: string): RunRecord | undefined {
    return this.#runs.get(id)?.toRecord()
  }

  #adopt(state: RunState): void {
    this.#runs.set(state.id, state)
    this.#scheduleDeadline(state)
    this.#kick(state)
  }

  /** Starts driving a run now, or schedules its wake-up. */
  #kick(state: RunState): void {
    const { status, wakeAt } = state.progress
    if (status === 'paused' || status === 'queued' || terminalStatuses.has(status)) return
    if (wakeAt !== undefined && wakeAt > this.#clock.now()) {
      state.cancelTimer?.()
      state.cancelTimer = this.#clock.at(wakeAt, () => {
        state.cancelTimer = undefined
        this.#kick(state)
      })
      return
    }
    if (state.driving || this.#stopping) return
    const driver = this.#drive(state).catch((error: Error) => {
      if (this.#logger) this.#logger.error({ run: state.id, err: error }, 'run stopped')
      else console.error(`weir: run ${state.id} stopped: ${error.message}`)
    })
    this.#drivers.add(driver)
    void driver.finally(() => this.#drivers.delete(driver))
  }

  #scheduleDeadline(state: RunState): void {
    const deadline = state.progress.deadline
    if (deadline === undefined || terminalStatuses.has(state.status)) return
    this.#clock.at(deadline, () => {
      if (terminalStatuses.has(state.status)) return
      if (state.inFlight) {
        state.requested = 'terminate'
        state.inFlight.abort()
        return
      }
      if (!state.driving) void this.#timeOut(state)
    })
  }

  async #commit(state: RunState, change: RunChange): Promise<void> {
    await this.#store.commit([change])
    const previous = state.progress.status
    state.progress = change.progress
    if (this.#logger && previous !== change.progress.status) this.#logStatus(state)
    if (terminalStatuses.has(change.progress.status)) this.#finish(state)
  }

  /** Starts the oldest queued runs of `flow` while its concurrency limit has free slots. */
  async #startQueued(flow: string): Promise<void> {
    for (;;) {
      if (this.#stopping) return
      const state = this.#slots.next(flow)
      if (!state) return
      state.holdsSlot = true
      const now = this.#clock.now()
      const timeout = state.loaded.record.document.timeoutMs
      const change = statusChange(state.id, state.progress, 'running', 'run_started', now, {
        startedAt: state.progress.startedAt ?? now,
        deadline: timeout === undefined ? undefined : now + timeout,
      })
      await this.#commit(state, change)
      this.#scheduleDeadline(state)
      this.#kick(state)
    }
  }

  #logStatus(state: RunState): void {
    const { status, error } = state.progress
    const fields = {
      run: state.id,
      flow: state.loaded.record.name,
      version: state.loaded.record.version,
      status,
      ...(error ? { step: error.step, kind: error.kind, error: error.message } : {}),
    }
    this.#logger?.info(fields, `run ${status}`)
  }

  #finish(state: RunState): void {
    state.cancelTimer?.()
    this.#runs.delete(state.id)
    const flow = state.loaded.record.name
    this.#slots.remove(state)
    if (state.holdsSlot) {
      state.holdsSlot = false
      this.#slots.release(flow)
      void this.#startQueued(flow).catch((error: Error) =>
        this.#logger?.error({ flow, err: error }, 'could not start a queued run'),
      )
    }
    const record = state.toRecord()
    for (const waiter of this.#waiters.get(state.id) ?? []) waiter(record)
    this.#waiters.delete(state.id)
  }

  async #timeOut(state: RunState): Promise<void> {
    const ms = (state.progress.deadline ?? 0) - (state.progress.startedAt ?? state.createdAt)
    const step = state.currentStep
    const error: RunError = {
      step: step?.id ?? '',
      task: step?.task ? `${step.task.name}@${step.task.version}` : '',
      kind: 'timeout',
      message: `the run did not finish within its timeout of ${ms} ms`,
      attempt: state.progress.attempt,
    }
    await this.#commit(
      state,
      statusChange(
        state.id,
        state.progress,
        'timed_out',
        'run_timed_out',
        this.#clock.now(),
        { error },
        { error: error as unknown as JsonValue },
      ),
    )
  }

  /** Applies a requested operation at a point where the run is between steps; true when it stopped. */
  async #applyRequested(state: RunState): Promise<boolean> {
    const at = this.#clock.now()
    const { requested } = state
    if (!requested) return false
    state.requested = undefined
    if (requested === 'pause') {
      await this.#commit(state, statusChange(state.id, state.progress, 'paused', 'run_paused', at))
    } else {
      const status = requested === 'cancel' ? 'cancelled' : 'terminated'
      await this.#commit(
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

  async #drive(state: RunState): Promise<void> {
    state.driving = true
    try {
      for (;;) {
        if (await this.#applyRequested(state)) return
        const { status, deadline, wakeAt } = state.progress
        if (status === 'paused' || terminalStatuses.has(status) || this.#stopping) return
        const now = this.#clock.now()
        if (deadline !== undefined && now >= deadline) {
          await this.#timeOut(state)
          return
        }
        if (wakeAt !== undefined && wakeAt > now) {
          this.#kick(state)
          return
        }
        // An event wait without a deadline: the event (deliverEvent) moves the run on.
        if (state.progress.waiting && wakeAt === undefined) return
        await this.#runStep(state)
      }
    } finally {
      state.driving = false
    }
  }

  async #runStep(state: RunState): Promise<void> {
    const step = state.currentStep
    const index = state.stepIndex
    if (!step || index === undefined) throw new Error(`run ${state.id} has no current step`)
    if (!step.task || state.progress.waiting) {
      await this.#waitStep(state, step)
      return
    }
    const { attempt, stepSeq } = state.progress
    const startedAt = this.#clock.now()
    state.scope.setRun({
      id: state.id,
      flow: state.loaded.record.name,
      version: state.loaded.record.version,
      attempt,
    })
    const prepared = stepInput(state, step)
    let input: JsonValue | undefined
    let result: AttemptResult
    if ('error' in prepared) {
      result = {
        status: 'failed',
        error: { kind: 'input_invalid', message: prepared.error },
        log: '',
        durationMs: 0,
      }
    } else {
      input = prepared.input
      result = await this.#execute(state, step, input)
      if (this.#abandoned) return
    }
    const finishedAt = this.#clock.now()
    const outcome: Outcome =
      result.status === 'succeeded'
        ? { status: 'succeeded', output: result.output }
        : {
            status: 'failed',
            error: {
              step: step.id,
              task: step.task ? `${step.task.name}@${step.task.version}` : '',
              kind: result.error.kind,
              message: result.error.message,
              ...(result.error.details === undefined ? {} : { details: result.error.details }),
              attempt,
            },
          }
    const report: AttemptReport = {
      step,
      stepSeq,
      attempt,
      input,
      outcome,
      log: result.log,
      startedAt,
      finishedAt,
    }
    if (state.requested === 'terminate') {
      state.requested = undefined
      await this.#terminateAfter(state, report)
      return
    }
    if (outcome.status === 'succeeded' && step.task?.mode === 'async') {
      const token = newCallbackToken(state.id, stepSeq)
      const succeeded = { ...report, outcome }
      await this.#commit(
        state,
        callbackWaitStarted(state.id, state.progress, succeeded, step.task, token),
      )
      return
    }
    state.scope.setStep(
      step.id,
      outcome.status === 'succeeded'
        ? { output: outcome.output }
        : { error: outcome.error as unknown as JsonValue },
    )
    const decision = decide(state.loaded.compiled, state.scope, {
      stepIndex: index,
      attempt,
      stepRuns: state.progress.stepRuns,
      outcome,
      at: finishedAt,
    })
    await this.#commit(
      state,
      attemptChange(state.id, state.loaded.compiled, state.progress, report, decision),
    )
  }

  /** A sleep or waitFor step: starts its wait, or ends it when its time has come (a sleep's end, an event's deadline). */
  async #waitStep(state: RunState, step: CompiledStep): Promise<void> {
    const now = this.#clock.now()
    const waiting = state.progress.waiting
    if (!waiting) {
      await this.#commit(state, waitStarted(state.id, state.progress, step, now))
      return
    }
    if (waiting.kind === 'sleep') {
      await this.#endWait(state, step, { status: 'succeeded', output: null }, now)
      return
    }
    if (waiting.kind === 'callback') {
      const task = step.task ? `${step.task.name}@${step.task.version}` : ''
      const error = callbackTimeout(waiting, now, step.id, task, state.progress.attempt)
      await this.#endWait(state, step, { status: 'failed', error }, now)
      return
    }
    const ms = (waiting.deadline ?? now) - waiting.since
    const error: RunError = {
      step: step.id,
      task: '',
      kind: 'timeout',
      message: `no event "${waiting.name}" arrived within ${ms} ms`,
      attempt: state.progress.attempt,
    }
    await this.#endWait(state, step, { status: 'failed', error }, now)
  }

  /** Ends a wait with its outcome and commits what follows, as after an attempt. */
  async #endWait(state: RunState, step: CompiledStep, outcome: Outcome, at: number): Promise<void> {
    const { attempt, stepSeq, stepRuns, waiting } = state.progress
    state.scope.setStep(
      step.id,
      outcome.status === 'succeeded'
        ? { output: outcome.output }
        : { error: outcome.error as unknown as JsonValue },
    )
    const decision = decide(state.loaded.compiled, state.scope, {
      stepIndex: step.index,
      attempt,
      stepRuns,
      outcome,
      at,
    })
    const report: AttemptReport = {
      step,
      stepSeq,
      attempt,
      input: undefined,
      outcome,
      log: '',
      startedAt: waiting?.since ?? at,
      finishedAt: at,
      wait: true,
    }
    const change = attemptChange(state.id, state.loaded.compiled, state.progress, report, decision)
    // A paused run takes what its step waited for, and stays paused before its next step.
    const { status } = change.progress
    const paused = state.status === 'paused' && !terminalStatuses.has(status)
    await this.#commit(
      state,
      paused ? { ...change, progress: { ...change.progress, status: 'paused' } } : change,
    )
  }

  /**
   * Delivers an event to a run whose current step waits for it: the payload
   * (checked against the step's schema) becomes the step's output and the run
   * moves on. An event no step waits for is refused, not kept.
   */
  async deliverEvent(id: string, name: string, payload: JsonValue): Promise<RunRecord> {
    const state = await this.#operate(id)
    const waiting = state.progress.waiting
    const step = state.currentStep
    if (waiting?.kind !== 'event' || waiting.name !== name || !step || state.driving) {
      const now =
        waiting?.kind === 'event'
          ? `its step "${step?.id}" waits for "${waiting.name}"`
          : `it is at step "${step?.id}"`
      throw new WeirError('conflict', `run ${id} is not waiting for event "${name}": ${now}`)
    }
    const schema = 'waitFor' in step.step ? step.step.schema : undefined
    const problems = schema ? validateValue(schema, payload) : []
    if (problems.length > 0) {
      const first = problems[0]
      throw new WeirError(
        'invalid_document',
        `the payload of event "${name}" does not match step "${step.id}"'s schema: ${first?.pointer || '/'}: ${first?.message}`,
        problems,
      )
    }
    state.driving = true
    try {
      state.cancelTimer?.()
      state.cancelTimer = undefined
      await this.#endWait(state, step, { status: 'succeeded', output: payload }, this.#clock.now())
    } finally {
      state.driving = false
    }
    this.#kick(state)
    return state.toRecord()
  }

  /**
   * A callback of an async step: completes it with its output (checked against
   * the task's output schema), fails it, or keeps it alive. A token that is not
   * awaited any more (already used, or its wait ended) is a conflict, never a
   * second completion.
   */
  async callback(token: string, body: CallbackBody): Promise<{ run: RunRecord; step: string }> {
    const named = parseCallbackToken(token)
    if (!named) throw new WeirError('not_found', 'no callback has this token')
    const state = this.#runs.get(named.runId)
    const waiting = state?.progress.waiting
    const step = state?.currentStep
    const awaited =
      state &&
      step &&
      waiting?.kind === 'callback' &&
      state.progress.stepSeq === named.stepSeq &&
      tokenMatches(waiting, token)
    if (!awaited || state.driving)
      return this.#staleCallback(named.runId, named.stepSeq, token, state?.driving ?? false)
    const now = this.#clock.now()
    if (body.status === 'heartbeat') {
      state.cancelTimer?.()
      await this.#commit(state, heartbeatChange(state.id, state.progress, waiting, now))
      this.#kick(state)
      return { run: state.toRecord(), step: step.id }
    }
    let outcome: Outcome
    if (body.status === 'succeeded') {
      const output = body.output ?? null
      const schema = step.task?.output
      const problems = schema ? validateValue(schema, output) : []
      if (problems.length > 0) {
        const first = problems[0]
        throw new WeirError(
          'invalid_document',
          `the callback's output does not match task ${step.task?.name}'s output schema: ${first?.pointer || '/'}: ${first?.message}`,
          problems,
        )
      }
      outcome = { status: 'succeeded', output }
    } else {
      const task = step.task ? `${step.task.name}@${step.task.version}` : ''
      const { message, details } = body.error
      outcome = {
        status: 'failed',
        error: {
          step: step.id,
          task,
          kind: 'task_error',
          message,
          ...(details === undefined ? {} : { details }),
          attempt: state.progress.attempt,
        },
      }
    }
    state.driving = true
    try {
      state.cancelTimer?.()
      state.cancelTimer = undefined
      await this.#endWait(state, step, outcome, now)
    } finally {
      state.driving = false
    }
    this.#kick(state)
    return { run: state.toRecord(), step: step.id }
  }

  /** Why a callback token is not awaited: unknown (404), or its step is no longer waiting for it (409). */
  async #staleCallback(
    runId: string,
    stepSeq: number,
    token: string,
    ending: boolean,
  ): Promise<never> {
    if (ending)
      throw new WeirError(
        'conflict',
        'the wait of this step is ending; its callback is no longer taken',
      )
    const steps = await this.#store.getStepRuns(runId)
    const known = steps.find((s) => s.seq === stepSeq && s.callback?.token === token)
    if (!known) throw new WeirError('not_found', 'no callback has this token')
    throw new WeirError(
      'conflict',
      `the callback of step "${known.stepId}" of run ${runId} is no longer awaited: the step ${known.status}`,
    )
  }

  async #execute(state: RunState, step: CompiledStep, input: JsonValue): Promise<AttemptResult> {
    const ref = step.task ? `${step.task.name}@${step.task.version}` : ''
    const task = state.loaded.tasks.get(ref)
    if (!task || !('task' in step.step)) {
      const message = `task ${ref} of step "${step.id}" is not loaded`
      return { status: 'failed', error: { kind: 'trap', message }, log: '', durationMs: 0 }
    }
    const timeoutMs = step.step.timeoutMs ?? task.timeoutMs ?? defaultStepTimeoutMs
    const controller = new AbortController()
    state.inFlight = controller
    try {
      return await this.#executor.execute({
        task: { ...task, timeoutMs },
        input,
        signal: controller.signal,
      })
    } finally {
      state.inFlight = undefined
    }
  }

  /** Commits the attempt a terminate interrupted, and the run as terminated (or timed out at its deadline). */
  async #terminateAfter(state: RunState, report: AttemptReport): Promise<void> {
    const timedOut =
      state.progress.deadline !== undefined && report.finishedAt >= state.progress.deadline
    const outcome: Outcome =
      report.outcome.status === 'failed' && report.outcome.error.kind === 'cancelled'
        ? report.outcome
        : {
            status: 'failed',
            error: {
              step: report.step.id,
              task: report.step.task ? `${report.step.task.name}@${report.step.task.version}` : '',
              kind: 'cancelled',
              message: 'the attempt was terminated',
              attempt: report.attempt,
            },
          }
    const task = report.step.task ? `${report.step.task.name}@${report.step.task.version}` : ''
    const error: RunError | undefined = timedOut
      ? {
          step: report.step.id,
          task,
          kind: 'timeout',
          message: 'the run did not finish within its timeout',
          attempt: report.attempt,
        }
      : undefined
    await this.#commit(
      state,
      interruptedChange(
        state.id,
        state.progress,
        { ...report, outcome },
        timedOut ? 'timed_out' : 'terminated',
        error,
      ),
    )
  }

  async #operate(id: string): Promise<RunState> {
    const state = this.#runs.get(id)
    if (state) return state
    const stored = await this.#store.getRun(id)
    if (!stored) throw new WeirError('not_found', `run ${id} does not exist`)
    throw new WeirError('conflict', `run ${id} is ${stored.status}`)
  }

  /** Stops the run after its current step (immediately when it is between steps). */
  async cancel(id: string): Promise<RunRecord> {
    const state = await this.#operate(id)
    state.requested = 'cancel'
    if (!state.driving) {
      state.cancelTimer?.()
      await this.#applyRequested(state)
    }
    return state.toRecord()
  }

  /** Stops the run now: an attempt in flight is killed. */
  async terminate(id: string): Promise<RunRecord> {
    const state = await this.#operate(id)
    state.requested = 'terminate'
    if (state.inFlight) state.inFlight.abort()
    else if (!state.driving) {
      state.cancelTimer?.()
      await this.#applyRequested(state)
    }
    return state.toRecord()
  }

  /** Halts the run before its next step. */
  async pause(id: string): Promise<RunRecord> {
    const state = await this.#operate(id)
    if (state.status === 'paused') return state.toRecord()
    if (state.status === 'queued')
      throw new WeirError(
        'conflict',
        `run ${id} is queued for a concurrency slot; it can be cancelled, not paused`,
      )
    state.requested = 'pause'
    if (!state.driving) {
      state.cancelTimer?.()
      await this.#applyRequested(state)
    }
    return state.toRecord()
  }

  async resume(id: string): Promise<RunRecord> {
    const state = await this.#operate(id)
    if (state.requested === 'pause') state.requested = undefined
    if (state.status !== 'paused') return state.toRecord()
    const { wakeAt, waiting } = state.progress
    const status = wakeAt !== undefined || waiting ? 'waiting' : 'running'
    await this.#commit(
      state,
      statusChange(state.id, state.progress, status, 'run_resumed', this.#clock.now()),
    )
    this.#kick(state)
    return state.toRecord()
  }

  /** Restarts a failed run from the step that failed, keeping the outputs of the steps before it. */
  async retry(id: string): Promise<RunRecord> {
    if (this.#runs.has(id))
      throw new WeirError(
        'conflict',
        `run ${id} has not failed: it is ${this.#runs.get(id)?.status}`,
      )
    const loadedRun = await this.#store.loadRun(id)
    if (!loadedRun) throw new WeirError('not_found', `run ${id} does not exist`)
    const { run, progress, values } = loadedRun
    if (run.status !== 'failed' && run.status !== 'timed_out')
      throw new WeirError(
        'conflict',
        `run ${id} is ${run.status}; only a failed or timed-out run can be retried`,
      )
    const loaded = await this.#catalog.loadFlow(run.flow.name, run.flow.version)
    const failedStep = run.error?.step || progress.currentStep
    if (!failedStep || !loaded.compiled.stepIndex.has(failedStep))
      throw new WeirError('conflict', `run ${id} has no step to retry from`)
    const now = this.#clock.now()
    const timeout = loaded.record.document.timeoutMs
    const restarted: RunProgress = {
      ...progress,
      status: 'running',
      currentStep: failedStep,
      attempt: 1,
      stepSeq: progress.stepSeq + 1,
      stepRuns: progress.stepRuns + 1,
      wakeAt: undefined,
      deadline: timeout === undefined ? undefined : now + timeout,
      finishedAt: undefined,
      error: undefined,
      output: undefined,
    }
    const state = new RunState(run, loaded, progress, values)
    const limit = limitOf(state)
    const queued = limit !== undefined && !this.#slots.tryAcquire(run.flow.name, limit)
    state.holdsSlot = limit !== undefined && !queued
    const change = statusChange(
      id,
      progress,
      queued ? 'queued' : 'running',
      'run_retried',
      now,
      queued ? { ...restarted, status: 'queued', deadline: undefined } : restarted,
      { step: failedStep },
    )
    this.#runs.set(id, state)
    await this.#commit(state, change)
    if (queued) {
      this.#slots.enqueue(state)
      await this.#startQueued(run.flow.name)
    } else {
      this.#scheduleDeadline(state)
      this.#kick(state)
    }
    return state.toRecord()
  }

  /**
   * Stops taking work: no new run or attempt starts, and callers waiting for a
   * run are answered now. Resolves when the attempts in flight have committed,
   * or after `graceMs`: attempts still running then are not committed when
   * they end, and recovery runs them again on the next start.
   */
  async stop(graceMs = Number.POSITIVE_INFINITY): Promise<void> {
    this.#stopping = true
    for (const state of this.#runs.values()) state.cancelTimer?.()
    for (const waiters of [...this.#waiters.values()])
      for (const waiter of [...waiters]) waiter(undefined)
    const settled = Promise.allSettled([...this.#drivers])
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
    this.#abandoned = true
  }
}
