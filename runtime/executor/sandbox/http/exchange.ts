/**
 * One request under way, seen from the task thread: the answers the helper
 * sent for it (head, body chunks, end or failure), collected as the guest
 * asks, and the one log line it leaves when it ends.
 */
import type { ErrorCode } from '@bytecodealliance/preview2-shim/interfaces/wasi-http-types'
import type { HelperChannel } from './channel.js'
import { type RequestSummary, requestLine } from './log-line.js'
import type { FromHelper, StartRequest } from './messages.js'

export class Exchange {
  readonly id: number
  readonly #channel: HelperChannel
  readonly #summary: RequestSummary
  readonly #log: (line: string) => void
  readonly #started = performance.now()
  head:
    | { readonly status: number; readonly headers: readonly (readonly [string, string])[] }
    | undefined
  failure: { readonly code: ErrorCode; readonly reason: string } | undefined
  done = false
  readonly #chunks: Uint8Array[] = []
  #bytes = 0

  constructor(channel: HelperChannel, summary: RequestSummary, log: (line: string) => void) {
    this.#channel = channel
    this.#summary = summary
    this.#log = log
    this.id = channel.open((message) => this.#receive(message))
  }

  get ended(): boolean {
    return this.done || this.failure !== undefined
  }

  #receive(message: FromHelper): void {
    switch (message.type) {
      case 'head':
        this.head = { status: message.status, headers: message.headers }
        return
      case 'chunk':
        this.#chunks.push(message.chunk)
        this.#bytes += message.chunk.length
        return
      case 'done':
        this.done = true
        this.#finish(undefined)
        return
      case 'failed':
        this.failure = { code: message.code, reason: message.reason }
        this.#finish(message.reason)
        return
      default: {
        const never: never = message
        throw new Error(`unknown message ${String(never)}`)
      }
    }
  }

  #finish(problem: string | undefined): void {
    this.#channel.close(this.id)
    this.#log(
      requestLine(this.#summary, {
        ...(this.head ? { status: this.head.status } : {}),
        bytes: this.#bytes,
        ms: performance.now() - this.#started,
        ...(problem ? { problem } : {}),
      }),
    )
  }

  /** Asks the helper to send the request. */
  start(request: Omit<StartRequest, 'type' | 'id'>): void {
    this.#channel.post({ type: 'start', id: this.id, ...request })
  }

  /** Sends the helper what the task wrote into the body after the request started. */
  post(message: { type: 'body'; chunk: Uint8Array } | { type: 'end' }): void {
    if (!this.ended) this.#channel.post({ ...message, id: this.id })
  }

  /** True once the response head (or the request's failure) is here. */
  responseReady(): boolean {
    this.#channel.pump()
    return this.head !== undefined || this.failure !== undefined
  }

  /** True once body bytes, the body's end or its failure are here. */
  bodyReady(): boolean {
    this.#channel.pump()
    return this.#chunks.length > 0 || this.ended
  }

  /** Up to `max` bytes of the body that arrived (empty when none are waiting). */
  take(max: number): Uint8Array {
    const first = this.#chunks[0]
    if (!first) return new Uint8Array(0)
    if (first.length <= max) {
      this.#chunks.shift()
      return first
    }
    this.#chunks[0] = first.subarray(max)
    return first.subarray(0, max)
  }

  get hasBytes(): boolean {
    return this.#chunks.length > 0
  }

  /** Stops the request (the task let go of it, or the attempt ended); logs why. */
  abandon(why: string): void {
    this.#channel.pump()
    if (this.ended) return
    this.#channel.post({ type: 'abort', id: this.id })
    this.failure = { code: { tag: 'internal-error', val: why }, reason: why }
    this.#finish(why)
  }
}
