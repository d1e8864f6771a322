/**
 * The task thread's end of its HTTP helper thread: one helper per executor
 * worker, started on first use. Requests and body chunks are posted without
 * waiting; answers are read synchronously (`receiveMessageOnPort`) whenever
 * the guest asks about a request, and handed to the exchange they belong to.
 */
import { MessageChannel, type MessagePort, receiveMessageOnPort, Worker } from 'node:worker_threads'
import { threadEntry } from '../../../thread-entry.js'
import { wakeSignal } from '../io.js'
import type { FromHelper, HelperData, ToHelper } from './messages.js'

const helper = threadEntry('./helper', import.meta.url)

export class HelperChannel {
  readonly #port: MessagePort
  readonly #worker: Worker
  readonly #listeners = new Map<number, (message: FromHelper) => void>()
  #nextId = 1
  #failure: string | undefined

  constructor(extraCa: string | undefined) {
    const { port1, port2 } = new MessageChannel()
    const data: HelperData & { port: MessagePort } = {
      wake: wakeSignal.buffer as SharedArrayBuffer,
      extraCa,
      port: port2,
    }
    this.#worker = new Worker(helper.entry, {
      eval: helper.eval,
      workerData: data,
      transferList: [port2],
      env: {},
      stdout: false,
      stderr: false,
    })
    this.#worker.unref()
    // Seen between attempts (the thread's event loop does not run during one): the next request gets a new helper.
    this.#worker.on('error', (error: Error) => {
      this.#failure ??= error.message
    })
    this.#worker.on('exit', (code: number) => {
      this.#failure ??= `it exited with code ${code}`
    })
    this.#port = port1
  }

  /** Why the helper thread is gone, if it is. */
  get failure(): string | undefined {
    return this.#failure
  }

  /** Registers the receiver of one request's answers; returns the request's id. */
  open(listener: (message: FromHelper) => void): number {
    const id = this.#nextId++
    this.#listeners.set(id, listener)
    return id
  }

  /** Stops delivering answers for `id` (they are dropped from now on). */
  close(id: number): void {
    this.#listeners.delete(id)
  }

  post(message: ToHelper): void {
    this.#port.postMessage(message)
  }

  /** Delivers every answer that has arrived. */
  pump(): void {
    for (let m = receiveMessageOnPort(this.#port); m; m = receiveMessageOnPort(this.#port)) {
      const message = m.message as FromHelper
      this.#listeners.get(message.id)?.(message)
    }
  }
}

let shared: HelperChannel | undefined

/**
 * This thread's helper (started on first call, and again if it failed; the
 * extra CA is the pool's, the same for every task of the thread).
 */
export function helperChannel(extraCa: string | undefined): HelperChannel {
  if (!shared || shared.failure !== undefined) shared = new HelperChannel(extraCa)
  return shared
}
