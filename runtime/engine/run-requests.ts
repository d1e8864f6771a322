/**
 * Requests for a run another node drives (DESIGN §13): the node that received
 * an operation, an event or a callback records it in the store and waits for
 * the answer; the owner, which reads its pending requests every few tens of
 * milliseconds, takes each one (so that it is applied once, or withdrawn by a
 * receiver that gave up), applies it as if it had received it, and stores the
 * answer — a value, or the error with its code — which the receiving node
 * then gives, exactly as the owner would have. A signal (PostgreSQL's
 * LISTEN/NOTIFY, signals.ts) wakes the owner and the receiver at once;
 * polling is the fallback, and all there is on libSQL.
 */
import type { JsonValue, Problem } from '../../types/index.js'
import { type ErrorCode, WeirError } from '../errors.js'
import { sortableId } from '../ids.js'
import { terminalStatuses } from '../store/records.js'
import type { StoreSignals } from '../store/signals.js'
import type { RunRequestRecord, RunRequestStore } from '../store/store.js'
import type { EngineLogger } from './run-driver.js'
import { SignalledPause } from './signalled-pause.js'
import { isStorageFault } from './storage-retry.js'

/** A request without its id and time. */
export type RunRequest = Pick<RunRequestRecord, 'runId' | 'kind' | 'body'>

type Answer =
  | { readonly ok: true; readonly value: JsonValue }
  | {
      readonly ok: false
      readonly code: ErrorCode
      readonly message: string
      readonly problems: readonly Problem[]
    }

/**
 * How often a receiver looks for its answer, and an owner for requests: often
 * when polling is all there is (libSQL), seldom as the fallback of live
 * signals (PostgreSQL's LISTEN/NOTIFY), which end each pause at once.
 */
export const requestTiming = {
  answerPollMs: 20,
  inboxPollMs: 50,
  signalledPollMs: 500,
  timeoutMs: 10_000,
} as const

type SignalledStore = RunRequestStore & { readonly signals: StoreSignals }

const pollMs = (signals: StoreSignals, polling: number) =>
  signals.live ? requestTiming.signalledPollMs : polling

/** The value an answer carries, or the error it names, thrown. */
function unpack(answer: JsonValue): JsonValue {
  const a = answer as unknown as Answer
  if (a.ok) return a.value
  throw new WeirError(a.code, a.message, [...a.problems])
}

/**
 * Asks the owner of a run to apply a request and returns its answer. When no
 * owner takes it within the timeout, it is withdrawn and the caller told to
 * retry (503); one that an owner took is waited for.
 */
export async function askOwner(
  store: SignalledStore,
  request: RunRequest,
  timeoutMs: number = requestTiming.timeoutMs,
): Promise<JsonValue> {
  const id = sortableId()
  const answered = new SignalledPause()
  const off = store.signals.on('run_answer', (subject) => {
    if (subject === id) answered.signal()
  })
  try {
    await store.addRunRequest({ ...request, id, createdAt: Date.now() })
    return await awaitAnswer(store, request, id, answered, timeoutMs)
  } finally {
    off()
  }
}

async function awaitAnswer(
  store: SignalledStore,
  request: RunRequest,
  id: string,
  answered: SignalledPause,
  timeoutMs: number,
): Promise<JsonValue> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await answered.pause(pollMs(store.signals, requestTiming.answerPollMs))
    const answer = await store.collectRunAnswer(id)
    if (answer !== undefined) return unpack(answer)
    if (Date.now() < deadline) continue
    if (await store.withdrawRunRequest(id))
      throw new WeirError(
        'unavailable',
        `the node that drives run ${request.runId} did not take the request within ${timeoutMs} ms; retry later`,
      )
    if (Date.now() > deadline + timeoutMs)
      throw new WeirError(
        'unavailable',
        `the node that drives run ${request.runId} took the request but did not answer within ${2 * timeoutMs} ms; look at the run before retrying`,
      )
  }
}

/** The answer to store for what applying a request gave. */
function answerOf(result: PromiseSettledResult<JsonValue>): Answer {
  if (result.status === 'fulfilled') return { ok: true, value: result.value }
  const error = result.reason
  if (error instanceof WeirError)
    return { ok: false, code: error.code, message: error.message, problems: error.problems }
  const message = error instanceof Error ? error.message : String(error)
  return { ok: false, code: 'internal', message, problems: [] }
}

/** The owner's side: takes the pending requests for its runs, applies and answers them. */
export class RequestInbox {
  readonly #store: SignalledStore
  readonly #node: string
  readonly #apply: (request: RunRequestRecord) => Promise<JsonValue>
  readonly #holds: (runId: string) => boolean
  readonly #logger: EngineLogger | undefined
  readonly #requested = new SignalledPause()
  #loop: Promise<void> | undefined
  #off: (() => void) | undefined
  #stopped = false

  /**
   * `holds`: whether the run is in this node's memory. A request for a run not
   * held waits a turn (the run is being adopted) unless the run has finished:
   * then it is applied, and answered as a request for a finished run is.
   */
  constructor(options: {
    store: SignalledStore
    node: string
    apply: (request: RunRequestRecord) => Promise<JsonValue>
    holds: (runId: string) => boolean
    logger: EngineLogger | undefined
  }) {
    this.#store = options.store
    this.#node = options.node
    this.#apply = options.apply
    this.#holds = options.holds
    this.#logger = options.logger
  }

  start(): void {
    if (this.#stopped || this.#loop) return
    this.#off = this.#store.signals.on('run_request', (runId) => {
      if (this.#holds(runId)) this.#requested.signal()
    })
    this.#loop = (async () => {
      for (;;) {
        await this.#requested.pause(pollMs(this.#store.signals, requestTiming.inboxPollMs))
        if (this.#stopped) return
        await this.#poll()
      }
    })()
  }

  async #poll(): Promise<void> {
    try {
      const pending = await this.#store.pendingRunRequests(this.#node, 100)
      for (const request of pending) {
        if (this.#stopped) return
        if (!this.#holds(request.runId) && !(await this.#finished(request.runId))) continue
        if (!(await this.#store.takeRunRequest(request.id, Date.now()))) continue
        const [result] = await Promise.allSettled([this.#apply(request)])
        if (request.notice) {
          // Applied, or refused for good (its run has finished): done. A storage fault
          // leaves it taken, and it is offered again later.
          if (result.status === 'fulfilled' || !isStorageFault(result.reason))
            await this.#store.deleteRunRequest(request.id)
          continue
        }
        await this.#store.answerRunRequest(
          request.id,
          answerOf(result as PromiseSettledResult<JsonValue>) as unknown as JsonValue,
          Date.now(),
        )
      }
    } catch (error) {
      this.#logger?.error({ node: this.#node, err: error }, 'could not read or answer run requests')
    }
  }

  async #finished(runId: string): Promise<boolean> {
    const owner = await this.#store.runOwner(runId)
    return owner === undefined || terminalStatuses.has(owner.status)
  }

  async stop(): Promise<void> {
    this.#stopped = true
    this.#off?.()
    this.#requested.signal()
    await this.#loop
  }
}
