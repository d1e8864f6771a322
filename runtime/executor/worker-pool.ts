/**
 * The executor: a pool of worker threads (one per core by default) running
 * attempts one at a time each. A worker may hold one more attempt queued
 * behind the one it runs, so it never waits for the main thread between
 * attempts; the timeout of an attempt starts when the worker starts it.
 * Attempts of a task go preferably to a worker that already holds a warm
 * instance of it. An attempt that outlives its timeout has its worker
 * terminated and replaced (attempts queued behind it go back to the queue); a
 * worker that dies fails its attempt and is replaced too. The host never dies
 * with a task.
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { ComponentCache } from '../components/component-cache.js'
import { WeirError } from '../errors.js'
import type { AttemptFailure, AttemptRequest, AttemptResult, Executor } from './executor.js'
import type { FromWorker, ToWorker } from './protocol.js'

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
}

interface Pending {
  readonly request: AttemptRequest
  readonly resolve: (result: AttemptResult) => void
}

interface Sent {
  readonly id: number
  readonly pending: Pending
  timer: NodeJS.Timeout | undefined
  started: number
}

interface Slot {
  readonly worker: Worker
  readonly prepared: Set<string>
  /** Attempts sent, in the order the worker runs them; the first is running. */
  readonly sent: Sent[]
  /** True while a task is being prepared for this slot (it takes no other attempt meanwhile). */
  preparing: boolean
}

const ownUrl = import.meta.url
const fromSource = ownUrl.endsWith('.ts')
const workerUrl = new URL(fromSource ? './worker.ts' : './worker.js', ownUrl)
const terminated: AttemptFailure = { kind: 'cancelled', message: 'the attempt was terminated' }

function failed(error: AttemptFailure, durationMs: number): AttemptResult {
  return { status: 'failed', error, log: '', durationMs }
}

export class WorkerPool implements Executor {
  readonly #options: Required<WorkerPoolOptions>
  readonly #slots: Slot[] = []
  readonly #queue: Pending[] = []
  #nextId = 1
  #closed = false

  private constructor(options: WorkerPoolOptions) {
    this.#options = {
      size: options.size ?? availableParallelism(),
      logLimit: options.logLimit ?? 64 * 1024,
      heapMb: options.heapMb ?? 512,
      depth: options.depth ?? 2,
      cache: options.cache,
    }
  }

  /** Starts the pool; resolves when every worker is ready. */
  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options)
    await Promise.all(Array.from({ length: pool.#options.size }, () => pool.#addSlot()))
    return pool
  }

  get size(): number {
    return this.#slots.length
  }

  #spawn(): Promise<Worker> {
    // From source (tests, scripts) the worker is TypeScript: register tsx's loader in the thread first.
    const entry = fromSource
      ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(workerUrl.href)}) })`
      : workerUrl
    const worker = new Worker(entry, {
      eval: fromSource,
      resourceLimits: { maxOldGenerationSizeMb: this.#options.heapMb },
      env: {},
      stdout: false,
      stderr: false,
    })
    return new Promise((resolve, reject) => {
      const onReady = (message: FromWorker) => {
        if (message.type !== 'ready') return
        worker.off('message', onReady)
        worker.off('error', reject)
        resolve(worker)
      }
      worker.on('message', onReady)
      worker.once('error', reject)
    })
  }

  async #addSlot(): Promise<void> {
    const worker = await this.#spawn()
    const slot: Slot = { worker, prepared: new Set(), sent: [], preparing: false }
    this.#attach(slot)
    this.#slots.push(slot)
    this.#dispatch()
  }

  #attach(slot: Slot): void {
    slot.worker.on('message', (message: FromWorker) => {
      if (message.type !== 'result') return
      const index = slot.sent.findIndex((s) => s.id === message.id)
      if (index < 0) return
      const [done] = slot.sent.splice(index, 1)
      if (done?.timer) clearTimeout(done.timer)
      done?.pending.resolve(message.result)
      this.#startHead(slot)
      this.#dispatch()
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
    head?.pending.resolve(failed(failure, durationMs))
    this.#queue.unshift(...behind.map((s) => s.pending))
    if (!this.#closed) {
      this.#addSlot().catch((error: Error) => {
        console.error(`weir: could not replace an executor worker: ${error.message}`)
      })
    }
  }

  execute(request: AttemptRequest): Promise<AttemptResult> {
    if (this.#closed) return Promise.reject(new WeirError('internal', 'the executor is closed'))
    if (request.signal?.aborted) return Promise.resolve(failed(terminated, 0))
    return new Promise((resolve) => {
      const pending: Pending = { request, resolve }
      this.#queue.push(pending)
      request.signal?.addEventListener('abort', () => this.#abort(pending), { once: true })
      this.#dispatch()
    })
  }

  #abort(pending: Pending): void {
    const queued = this.#queue.indexOf(pending)
    if (queued >= 0) {
      this.#queue.splice(queued, 1)
      pending.resolve(failed(terminated, 0))
      return
    }
    for (const slot of this.#slots) {
      const index = slot.sent.findIndex((s) => s.pending === pending)
      if (index === 0)
        this.#replace(slot, terminated, performance.now() - (slot.sent[0]?.started ?? 0))
      else if (index > 0) {
        const [skipped] = slot.sent.splice(index, 1)
        this.#post(slot, { type: 'skip', id: skipped?.id ?? 0 })
        pending.resolve(failed(terminated, 0))
      }
      if (index >= 0) return
    }
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const open = this.#slots.filter((s) => !s.preparing && s.sent.length < this.#options.depth)
      if (open.length === 0) return
      const next = this.#queue[0] as Pending
      const key = next.request.task.key
      const least = Math.min(...open.map((s) => s.sent.length))
      const candidates = open.filter((s) => s.sent.length === least)
      const slot = candidates.find((s) => s.prepared.has(key)) ?? (candidates[0] as Slot)
      this.#queue.shift()
      if (slot.prepared.has(key)) this.#send(slot, next)
      else void this.#prepareAndSend(slot, next)
    }
  }

  async #prepareAndSend(slot: Slot, pending: Pending): Promise<void> {
    const { task } = pending.request
    slot.preparing = true
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
      })
      slot.prepared.add(task.key)
    } catch (error) {
      const message = (error as Error).message
      pending.resolve(
        failed(
          { kind: /MiB from the start/.test(message) ? 'limit_exceeded' : 'trap', message },
          0,
        ),
      )
      return
    } finally {
      slot.preparing = false
    }
    if (pending.request.signal?.aborted) pending.resolve(failed(terminated, 0))
    else if (this.#slots.includes(slot)) this.#send(slot, pending)
    else this.#queue.unshift(pending)
    this.#dispatch()
  }

  #send(slot: Slot, pending: Pending): void {
    const id = this.#nextId++
    slot.sent.push({ id, pending, timer: undefined, started: performance.now() })
    this.#post(slot, {
      type: 'call',
      id,
      key: pending.request.task.key,
      input: pending.request.input,
    })
    this.#startHead(slot)
  }

  #post(slot: Slot, message: ToWorker): void {
    slot.worker.postMessage(message)
  }

  async close(): Promise<void> {
    this.#closed = true
    for (const pending of this.#queue.splice(0)) {
      pending.resolve(
        failed({ kind: 'trap', message: 'the executor closed before the attempt ran' }, 0),
      )
    }
    await Promise.all(this.#slots.map((s) => s.worker.terminate()))
    this.#slots.length = 0
  }
}
