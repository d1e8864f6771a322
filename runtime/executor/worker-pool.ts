/**
 * The executor: a pool of worker threads (one per core by default) running
 * attempts one at a time each. Attempts of a task go preferably to a worker
 * that already holds a warm instance of it. An attempt that outlives its
 * timeout has its worker terminated and replaced; a worker that dies (out of
 * heap, a crash) fails its attempt and is replaced too. The host never dies
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
}

interface Pending {
  readonly request: AttemptRequest
  readonly resolve: (result: AttemptResult) => void
}

interface Slot {
  worker: Worker
  busy: boolean
  readonly prepared: Set<string>
  current: { id: number; pending: Pending; timer: NodeJS.Timeout | undefined } | undefined
}

const ownUrl = import.meta.url
const fromSource = ownUrl.endsWith('.ts')
const workerUrl = new URL(fromSource ? './worker.ts' : './worker.js', ownUrl)

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
    const slot: Slot = { worker, busy: false, prepared: new Set(), current: undefined }
    this.#attach(slot)
    this.#slots.push(slot)
    this.#dispatch()
  }

  #attach(slot: Slot): void {
    slot.worker.on('message', (message: FromWorker) => {
      if (message.type !== 'result' || slot.current?.id !== message.id) return
      const { pending, timer } = slot.current
      if (timer) clearTimeout(timer)
      slot.current = undefined
      slot.busy = false
      pending.resolve(message.result)
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
      if (slot.current)
        this.#replace(slot, { kind: 'trap', message: 'the worker running the task exited' })
    })
  }

  /** Ends the slot's attempt with `failure`, terminates its worker and starts a replacement. */
  #replace(slot: Slot, failure: AttemptFailure, durationMs = 0): void {
    const current = slot.current
    slot.current = undefined
    if (current?.timer) clearTimeout(current.timer)
    const index = this.#slots.indexOf(slot)
    if (index >= 0) this.#slots.splice(index, 1)
    slot.worker.removeAllListeners()
    void slot.worker.terminate()
    current?.pending.resolve(failed(failure, durationMs))
    if (!this.#closed) {
      this.#addSlot().catch((error: Error) => {
        console.error(`weir: could not replace an executor worker: ${error.message}`)
      })
    }
  }

  execute(request: AttemptRequest): Promise<AttemptResult> {
    if (this.#closed) return Promise.reject(new WeirError('internal', 'the executor is closed'))
    const cancelled = failed({ kind: 'cancelled', message: 'the attempt was terminated' }, 0)
    if (request.signal?.aborted) return Promise.resolve(cancelled)
    return new Promise((resolve) => {
      const pending: Pending = { request, resolve }
      this.#queue.push(pending)
      request.signal?.addEventListener(
        'abort',
        () => {
          const queued = this.#queue.indexOf(pending)
          if (queued >= 0) {
            this.#queue.splice(queued, 1)
            resolve(cancelled)
            return
          }
          const slot = this.#slots.find((s) => s.current?.pending === pending)
          if (slot)
            this.#replace(slot, { kind: 'cancelled', message: 'the attempt was terminated' })
        },
        { once: true },
      )
      this.#dispatch()
    })
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const idle = this.#slots.filter((s) => !s.busy)
      if (idle.length === 0) return
      const next = this.#queue.shift() as Pending
      const key = next.request.task.key
      const slot = idle.find((s) => s.prepared.has(key)) ?? (idle[0] as Slot)
      slot.busy = true
      void this.#run(slot, next)
    }
  }

  async #run(slot: Slot, pending: Pending): Promise<void> {
    const { task, input } = pending.request
    if (!slot.prepared.has(task.key)) {
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
        slot.busy = false
        const message = (error as Error).message
        const kind = /MiB from the start/.test(message) ? 'limit_exceeded' : 'trap'
        pending.resolve(failed({ kind, message }, 0))
        this.#dispatch()
        return
      }
    }
    if (pending.request.signal?.aborted) {
      slot.busy = false
      pending.resolve(failed({ kind: 'cancelled', message: 'the attempt was terminated' }, 0))
      this.#dispatch()
      return
    }
    const id = this.#nextId++
    const started = performance.now()
    const timer =
      task.timeoutMs > 0
        ? setTimeout(() => {
            this.#replace(
              slot,
              {
                kind: 'timeout',
                message: `the attempt did not finish within ${task.timeoutMs} ms and was stopped`,
              },
              performance.now() - started,
            )
          }, task.timeoutMs)
        : undefined
    slot.current = { id, pending, timer }
    this.#post(slot, { type: 'call', id, key: task.key, input })
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
