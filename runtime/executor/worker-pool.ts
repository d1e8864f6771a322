/**
 * The executor: a pool of worker threads (one per core by default) running
 * attempts one at a time each, shared fairly between groups (flows): each
 * group waits in its own queue, an idle worker takes the next attempt from
 * the group that started one least recently, and one group holds at most
 * max(1, workers − 1) workers by default, so a flow whose tasks spin cannot
 * keep another flow waiting (see fair-queue.ts). A worker being replaced
 * still counts for its group until the new one is up.
 *
 * A worker may hold one more attempt queued behind the one it runs, so it
 * never waits for the main thread between attempts — but only an attempt of
 * the same group, only while no other group waits, and it is taken back
 * (skipped in the worker, queued again here) as soon as another group could
 * start one. The timeout of an attempt starts when the worker starts it.
 * Attempts of a task go preferably to a worker that already holds a warm
 * instance of it. An attempt that outlives its timeout has its worker
 * terminated and replaced (attempts queued behind it go back to the queue); a
 * worker that dies fails its attempt and is replaced too. The host never dies
 * with a task.
 */
import { availableParallelism } from 'node:os'
import type { Worker } from 'node:worker_threads'
import { defaultJsonLimits, type JsonLimits } from '../../types/index.js'
import type { ComponentCache } from '../components/component-cache.js'
import { WeirError } from '../errors.js'
import type { AttemptFailure, AttemptRequest, AttemptResult, Executor } from './executor.js'
import { FairQueue } from './fair-queue.js'
import { type HttpOptions, resolveHttpSettings } from './http-settings.js'
import type { FromWorker, ToWorker } from './protocol.js'
import type { HttpSettings } from './sandbox/http/session.js'
import { spawnWorker } from './spawn-worker.js'

export interface WorkerPoolOptions {
  readonly cache: ComponentCache
  /** Worker threads; default: one per core. */
  readonly size?: number
  /** Bytes of stdout/stderr kept per attempt. */
  readonly logLimit?: number
  /** JS heap limit of each worker thread, in MiB. */
  readonly heapMb?: number
  /** Attempts sent to one worker at once (the running one and those queued behind it). */
  readonly depth?: number
  /**
   * Bounds on what a task returns (its output, or its error payload), checked
   * in the worker before the value is validated, posted or stored; a value
   * past them fails the attempt as `limit_exceeded`. Default: 64 levels, 1 MiB.
   */
  readonly valueLimits?: JsonLimits
  /**
   * The most workers one group (flow) may hold at once; default max(1, size − 1),
   * which keeps a worker for other flows — at the price of one worker's
   * throughput when a single flow has all the work.
   */
  readonly maxWorkersPerGroup?: number
  /** Outbound HTTP of tasks granted it: the response body cap and the extra CA file. */
  readonly http?: HttpOptions
}

interface Pending {
  readonly request: AttemptRequest
  /** The fairness key: the request's group, or one default group. */
  readonly group: string
  readonly resolve: (result: AttemptResult) => void
}

interface Sent {
  readonly id: number
  readonly pending: Pending
  timer: NodeJS.Timeout | undefined
  started: number
  /**
   * `queued`: the worker runs it in turn; `retracting`: a skip was posted so
   * another group can go first (queued again unless it already started);
   * `abandoned`: aborted, its caller answered, a skip posted.
   */
  state: 'queued' | 'retracting' | 'abandoned'
}

interface Slot {
  readonly worker: Worker
  readonly prepared: Set<string>
  /** Attempts sent, in the order the worker runs them; the first is running. */
  readonly sent: Sent[]
  /** The attempt whose task is being prepared for this slot (it takes no other attempt meanwhile). */
  preparing: Pending | undefined
  /** The group whose attempt the worker runs or prepares: it counts against that group's cap. */
  holder: string | undefined
}

const terminated: AttemptFailure = { kind: 'cancelled', message: 'the attempt was terminated' }
const closedEarly: AttemptFailure = {
  kind: 'trap',
  message: 'the executor closed before the attempt ran',
}
const defaultGroup = ''

const isIdle = (slot: Slot): boolean => slot.sent.length === 0 && !slot.preparing

function failed(error: AttemptFailure, durationMs: number): AttemptResult {
  return { status: 'failed', error, log: '', durationMs }
}

export class WorkerPool implements Executor {
  readonly #options: Required<Omit<WorkerPoolOptions, 'http'>>
  readonly #http: HttpSettings
  readonly #slots: Slot[] = []
  readonly #queue: FairQueue<Pending>
  #nextId = 1
  #closed = false

  private constructor(options: WorkerPoolOptions, http: HttpSettings) {
    this.#http = http
    const size = options.size ?? availableParallelism()
    this.#options = {
      size,
      logLimit: options.logLimit ?? 64 * 1024,
      heapMb: options.heapMb ?? 512,
      depth: options.depth ?? 2,
      valueLimits: options.valueLimits ?? defaultJsonLimits,
      maxWorkersPerGroup: options.maxWorkersPerGroup ?? Math.max(1, size - 1),
      cache: options.cache,
    }
    this.#queue = new FairQueue(this.#options.maxWorkersPerGroup)
  }

  /** Starts the pool; resolves when every worker is ready. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options, await resolveHttpSettings(options.http))
    await Promise.all(Array.from({ length: pool.#options.size }, () => pool.#addSlot()))
    return pool
  }

  get size(): number {
    return this.#slots.length
  }

  /** Workers running or preparing an attempt; attempts not started yet (read at metrics scrapes). */
  get load(): { readonly busy: number; readonly queued: number } {
    const busy = this.#slots.filter((slot) => !isIdle(slot))
    const behind = busy.reduce((n, slot) => n + Math.max(0, slot.sent.length - 1), 0)
    return { busy: busy.length, queued: this.#queue.size + behind }
  }

  async #addSlot(): Promise<void> {
    const worker = await spawnWorker(this.#options.heapMb)
    // A replacement that comes up after close() is not kept (it would keep the process alive).
    if (this.#closed) {
      await worker.terminate()
      return
    }
    const slot: Slot = {
      worker,
      prepared: new Set(),
      sent: [],
      preparing: undefined,
      holder: undefined,
    }
    this.#attach(slot)
    this.#slots.push(slot)
    this.#dispatch()
  }

  #attach(slot: Slot): void {
    slot.worker.on('message', (message: FromWorker) => {
      if (message.type === 'result') this.#settle(slot, message.id, message.result)
      else if (message.type === 'skipped') this.#settle(slot, message.id, undefined)
    })
    slot.worker.on('error', (error: Error & { code?: string }) => {
      const outOfMemory = error.code === 'ERR_WORKER_OUT_OF_MEMORY'
      this.#replace(slot, {
        kind: outOfMemory ? 'limit_exceeded' : 'trap',
        message: outOfMemory
          ? 'the task exhausted the worker heap limit'
          : `the worker running the task failed: ${error.message}`,
      })
    })
    slot.worker.on('exit', () => {
      if (slot.sent.length > 0)
        this.#replace(slot, { kind: 'trap', message: 'the worker running the task exited' })
    })
  }

  /** An attempt left the worker: it ran (`result`), or it was skipped before it started. */
  #settle(slot: Slot, id: number, result: AttemptResult | undefined): void {
    const index = slot.sent.findIndex((s) => s.id === id)
    if (index < 0) return
    const [done] = slot.sent.splice(index, 1) as [Sent]
    if (done.timer) clearTimeout(done.timer)
    if (result) done.pending.resolve(result)
    else if (done.state === 'retracting') this.#requeue(done.pending)
    this.#hold(slot)
    this.#startHead(slot)
    this.#dispatch()
  }

  /** Counts the slot against the group of the attempt it runs or prepares now. */
  #hold(slot: Slot): void {
    const group = slot.sent[0]?.pending.group ?? slot.preparing?.group
    if (group === slot.holder) return
    if (slot.holder !== undefined) this.#queue.release(slot.holder)
    if (group !== undefined) this.#queue.hold(group)
    slot.holder = group
  }

  /** Starts the timeout of the attempt now running first in the slot. */
  #startHead(slot: Slot): void {
    const head = slot.sent[0]
    if (!head || head.timer) return
    head.started = performance.now()
    const { timeoutMs } = head.pending.request.task
    if (timeoutMs > 0) {
      head.timer = setTimeout(() => {
        const failure: AttemptFailure = {
          kind: 'timeout',
          message: `the attempt did not finish within ${timeoutMs} ms and was stopped`,
        }
        this.#replace(slot, failure, performance.now() - head.started)
      }, timeoutMs)
    }
  }

  /** Fails the slot's running attempt, terminates its worker, re-queues what waited behind it, starts a replacement. */
  #replace(slot: Slot, failure: AttemptFailure, durationMs = 0): void {
    const index = this.#slots.indexOf(slot)
    if (index >= 0) this.#slots.splice(index, 1)
    const [head, ...behind] = slot.sent.splice(0)
    if (head?.timer) clearTimeout(head.timer)
    slot.worker.removeAllListeners()
    void slot.worker.terminate()
    const holder = slot.holder
    slot.holder = undefined
    head?.pending.resolve(failed(failure, durationMs))
    for (const s of behind.reverse()) if (s.state !== 'abandoned') this.#requeue(s.pending)
    if (this.#closed) return
    // The group still counts the worker until its replacement is up: meanwhile it cannot
    // take the worker its cap leaves to other groups.
    this.#addSlot()
      .catch((error: Error) => {
        console.error(`weir: could not replace an executor worker: ${error.message}`)
      })
      .finally(() => {
        if (holder !== undefined) this.#queue.release(holder)
        this.#dispatch()
      })
    this.#dispatch()
  }

  /** Puts an attempt back at the front of its group's queue (or fails it once the pool is closed). */
  #requeue(pending: Pending): void {
    if (this.#closed) pending.resolve(failed(closedEarly, 0))
    else this.#queue.requeue(pending.group, pending)
  }

  execute(request: AttemptRequest): Promise<AttemptResult> {
    if (this.#closed) return Promise.reject(new WeirError('internal', 'the executor is closed'))
    if (request.stop?.stopped) return Promise.resolve(failed(terminated, 0))
    return new Promise((resolve) => {
      const pending: Pending = { request, group: request.group ?? defaultGroup, resolve }
      this.#queue.push(pending.group, pending)
      request.stop?.listen(() => this.#abort(pending))
      this.#dispatch()
    })
  }

  #abort(pending: Pending): void {
    if (this.#queue.remove(pending.group, pending)) {
      pending.resolve(failed(terminated, 0))
      return
    }
    for (const slot of this.#slots) {
      const index = slot.sent.findIndex((s) => s.pending === pending)
      const sent = slot.sent[index]
      if (!sent) continue
      if (index === 0) this.#replace(slot, terminated, performance.now() - sent.started)
      else {
        // Not started yet: answer now; the worker skips it (or, if it started meanwhile, its result is dropped).
        pending.resolve(failed(terminated, 0))
        if (sent.state === 'queued') this.#post(slot, { type: 'skip', id: sent.id })
        sent.state = 'abandoned'
      }
      return
    }
  }

  #dispatch(): void {
    const queue = this.#queue
    // Idle workers first, fairly between groups under their cap.
    while (queue.size > 0 && this.#slots.some(isIdle)) {
      const next = queue.next()
      if (!next) break
      this.#start(this.#idleFor(next.item.request.task.key), next.item)
    }
    if (queue.size === 0) return
    // Then busy workers: take back what waits in them if another group could start,
    // else queue one more of their own group behind (least loaded first).
    for (const slot of this.#slots) {
      if (slot.holder !== undefined && queue.othersCouldStart(slot.holder)) this.#retract(slot)
    }
    for (let level = 1; level < this.#options.depth && queue.size > 0; level++) {
      for (const slot of this.#slots) {
        if (slot.sent.length !== level || slot.preparing || slot.holder === undefined) continue
        const item = queue.nextOf(slot.holder)
        if (item) this.#start(slot, item)
      }
    }
  }

  /**
   * The idle worker for an attempt of task `key`: one that holds it warm, else
   * the one holding the fewest tasks (a fresh replacement first), so warm
   * instances stay where other attempts will use them.
   */
  #idleFor(key: string): Slot {
    let best: Slot | undefined
    for (const slot of this.#slots) {
      if (!isIdle(slot)) continue
      if (slot.prepared.has(key)) return slot
      if (!best || slot.prepared.size < best.prepared.size) best = slot
    }
    return best as Slot
  }

  /** Asks the worker to skip the attempts queued behind its running one, so they can go to another worker. */
  #retract(slot: Slot): void {
    for (let i = 1; i < slot.sent.length; i++) {
      const sent = slot.sent[i] as Sent
      if (sent.state !== 'queued') continue
      sent.state = 'retracting'
      this.#post(slot, { type: 'skip', id: sent.id })
    }
  }

  #start(slot: Slot, pending: Pending): void {
    if (slot.prepared.has(pending.request.task.key)) this.#send(slot, pending)
    else void this.#prepareAndSend(slot, pending)
  }

  async #prepareAndSend(slot: Slot, pending: Pending): Promise<void> {
    const { task } = pending.request
    slot.preparing = pending
    this.#hold(slot)
    let failure: AttemptFailure | undefined
    try {
      const component = await this.#options.cache.get(task.component)
      if (!component)
        throw new WeirError('not_found', `component ${task.component} is not in the cache`)
      const modules = await this.#options.cache.compiled(component, task.memoryMb)
      this.#post(slot, {
        type: 'prepare',
        task,
        jsUrl: component.jsUrl,
        modules,
        logLimit: this.#options.logLimit,
        valueLimits: this.#options.valueLimits,
        http: this.#http,
      })
      slot.prepared.add(task.key)
    } catch (error) {
      const message = (error as Error).message
      failure = { kind: /MiB from the start/.test(message) ? 'limit_exceeded' : 'trap', message }
    }
    slot.preparing = undefined
    const alive = this.#slots.includes(slot)
    if (alive) this.#hold(slot)
    if (failure) pending.resolve(failed(failure, 0))
    else if (pending.request.stop?.stopped) pending.resolve(failed(terminated, 0))
    else if (alive) this.#send(slot, pending)
    else this.#requeue(pending)
    this.#dispatch()
  }

  #send(slot: Slot, pending: Pending): void {
    const id = this.#nextId++
    slot.sent.push({ id, pending, timer: undefined, started: performance.now(), state: 'queued' })
    this.#post(slot, {
      type: 'call',
      id,
      key: pending.request.task.key,
      input: pending.request.input,
      environment: pending.request.environment,
    })
    this.#hold(slot)
    this.#startHead(slot)
  }

  #post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message)
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const pending of this.#queue.drain()) pending.resolve(failed(closedEarly, 0))
    await Promise.all(this.#slots.map((s) => s.worker.terminate()))
    this.#slots.length = 0
  }
}
