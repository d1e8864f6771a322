/**
 * The incoming side of `wasi:http/types`: the future response of a request,
 * the response, its body as a `wasi:io` input stream that reads what the
 * helper delivered (waiting on the thread's wake signal when it must), and
 * the (always empty) trailers.
 */
import type { ErrorCode } from '@bytecodealliance/preview2-shim/interfaces/wasi-http-types'
import { InputStream, IoError, Pollable, poll } from '../io.js'
import type { Exchange } from './exchange.js'
import { Fields } from './fields.js'

type Ready<T> = { tag: 'ok'; val: { tag: 'ok'; val: T } | { tag: 'err'; val: ErrorCode } }
type Taken = { tag: 'err'; val: undefined }
const encoder = new TextEncoder()

export class FutureIncomingResponse {
  readonly #exchange: Exchange
  #taken = false
  constructor(exchange: Exchange) {
    this.#exchange = exchange
  }
  subscribe(): Pollable {
    return new Pollable(undefined, () => this.#exchange.responseReady())
  }
  get(): Ready<IncomingResponse> | Taken | undefined {
    if (this.#taken) return { tag: 'err', val: undefined }
    if (!this.#exchange.responseReady()) return undefined
    this.#taken = true
    const { head, failure } = this.#exchange
    if (!head)
      return {
        tag: 'ok',
        val: { tag: 'err', val: failure?.code ?? { tag: 'internal-error', val: undefined } },
      }
    return { tag: 'ok', val: { tag: 'ok', val: new IncomingResponse(this.#exchange) } }
  }
}

export class IncomingResponse {
  readonly #exchange: Exchange
  #consumed = false
  constructor(exchange: Exchange) {
    this.#exchange = exchange
  }
  status(): number {
    return this.#exchange.head?.status ?? 0
  }
  headers(): Fields {
    return Fields.frozen(
      (this.#exchange.head?.headers ?? []).map(([n, v]) => [n, encoder.encode(v)]),
    )
  }
  consume(): IncomingBody {
    if (this.#consumed) throw undefined
    this.#consumed = true
    return new IncomingBody(this.#exchange)
  }
}

export class IncomingBody {
  readonly #exchange: Exchange
  #streamed = false
  constructor(exchange: Exchange) {
    this.#exchange = exchange
  }
  stream(): InputStream {
    if (this.#streamed) throw undefined
    this.#streamed = true
    return new BodyStream(this.#exchange)
  }
  static finish(_body: IncomingBody): FutureTrailers {
    return new FutureTrailers()
  }
}

/** The response body: what arrived, then `closed` at its end, or the failure (a cut body, a reset). */
class BodyStream extends InputStream {
  readonly #exchange: Exchange
  constructor(exchange: Exchange) {
    super()
    this.#exchange = exchange
  }
  override read(len: bigint): Uint8Array {
    const exchange = this.#exchange
    exchange.bodyReady()
    if (exchange.hasBytes) return exchange.take(Number(len > 1n << 24n ? 1n << 24n : len))
    if (exchange.failure)
      throw {
        tag: 'last-operation-failed',
        val: new IoError(exchange.failure.reason, exchange.failure.code),
      }
    if (exchange.done) throw { tag: 'closed' }
    return new Uint8Array(0)
  }
  override blockingRead(len: bigint): Uint8Array {
    poll([this.subscribe()])
    return this.read(len)
  }
  override skip(len: bigint): bigint {
    return BigInt(this.read(len).length)
  }
  override blockingSkip(len: bigint): bigint {
    return BigInt(this.blockingRead(len).length)
  }
  override subscribe(): Pollable {
    return new Pollable(undefined, () => this.#exchange.bodyReady())
  }
  [Symbol.dispose](): void {
    this.#exchange.abandon('the task dropped the response body before its end')
  }
}

export class FutureTrailers {
  #taken = false
  subscribe(): Pollable {
    return new Pollable()
  }
  get(): Ready<Fields | undefined> | Taken {
    if (this.#taken) return { tag: 'err', val: undefined }
    this.#taken = true
    return { tag: 'ok', val: { tag: 'ok', val: undefined } }
  }
}
