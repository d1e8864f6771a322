/**
 * The outgoing side of `wasi:http/types`: a request the guest builds
 * (method, scheme, authority, path, headers), its options (timeouts) and its
 * body. Body bytes written before the request is sent are kept and go with
 * it; bytes written after go to the helper as they come.
 */
import type { Method, Scheme } from '@bytecodealliance/preview2-shim/interfaces/wasi-http-types'
import { OutputStream } from '../io.js'
import { Fields } from './fields.js'

/** Where the body's bytes go once the request is under way. */
export interface BodySink {
  chunk(bytes: Uint8Array): void
  end(): void
  abort(): void
}

/** Spaces and control characters never belong in a path or an authority. */
function hasControlOrSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c <= 0x20 || c === 0x7f) return true
  }
  return false
}

export class OutgoingBody {
  #stream: OutputStream | undefined
  #written = false
  #finished = false
  #pending: Uint8Array[] = []
  #sink: BodySink | undefined

  write(): OutputStream {
    if (this.#written) throw undefined
    this.#written = true
    this.#stream = new OutputStream((bytes) => {
      if (this.#finished) throw { tag: 'closed' }
      const copy = bytes.slice()
      if (this.#sink) this.#sink.chunk(copy)
      else this.#pending.push(copy)
    })
    return this.#stream
  }

  static finish(body: OutgoingBody, trailers: Fields | undefined): void {
    if (trailers && trailers.entries().length > 0)
      throw { tag: 'internal-error', val: 'trailers are not supported' }
    if (body.#finished) throw { tag: 'internal-error', val: 'the body is already finished' }
    body.#finished = true
    body.#sink?.end()
  }

  /** The request is sent: hands over what was written so far, and sends what comes next. */
  static attach(body: OutgoingBody, sink: BodySink): { written: Uint8Array[]; finished: boolean } {
    const written = body.#pending
    body.#pending = []
    body.#sink = sink
    return { written, finished: body.#finished }
  }

  [Symbol.dispose](): void {
    if (!this.#finished) this.#sink?.abort()
  }
}

export class RequestOptions {
  connect: bigint | undefined
  firstByte: bigint | undefined
  betweenBytes: bigint | undefined
  connectTimeout(): bigint | undefined {
    return this.connect
  }
  setConnectTimeout(duration: bigint | undefined): void {
    this.connect = duration
  }
  firstByteTimeout(): bigint | undefined {
    return this.firstByte
  }
  setFirstByteTimeout(duration: bigint | undefined): void {
    this.firstByte = duration
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.betweenBytes
  }
  setBetweenBytesTimeout(duration: bigint | undefined): void {
    this.betweenBytes = duration
  }
}

export class OutgoingRequest {
  readonly #headers: Fields
  #method: Method = { tag: 'get' }
  #scheme: Scheme | undefined
  #authority: string | undefined
  #path: string | undefined
  #body: OutgoingBody | undefined

  constructor(headers: Fields) {
    this.#headers = Fields.freeze(headers)
  }

  body(): OutgoingBody {
    if (this.#body) throw undefined
    this.#body = new OutgoingBody()
    return this.#body
  }
  method(): Method {
    return this.#method
  }
  setMethod(method: Method): void {
    if (method.tag === 'other' && !/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(method.val))
      throw undefined
    this.#method = method
  }
  pathWithQuery(): string | undefined {
    return this.#path
  }
  setPathWithQuery(path: string | undefined): void {
    if (path !== undefined && hasControlOrSpace(path)) throw undefined
    this.#path = path
  }
  scheme(): Scheme | undefined {
    return this.#scheme
  }
  setScheme(scheme: Scheme | undefined): void {
    this.#scheme = scheme
  }
  authority(): string | undefined {
    return this.#authority
  }
  setAuthority(authority: string | undefined): void {
    if (authority !== undefined && (hasControlOrSpace(authority) || /[/?#]/.test(authority)))
      throw undefined
    this.#authority = authority
  }
  headers(): Fields {
    return this.#headers
  }
  /** The body the guest took (undefined: it never asked for one, so the body is empty). */
  static takenBody(request: OutgoingRequest): OutgoingBody | undefined {
    return request.#body
  }
}

/** The scheme as a lowercase string (`undefined` stays undefined: https is assumed later). */
export function schemeText(scheme: Scheme | undefined): string | undefined {
  if (!scheme) return undefined
  return scheme.tag === 'other' ? scheme.val : scheme.tag.toLowerCase()
}

/** GET, POST, … or the other method's own spelling. */
export function methodText(method: Method): string {
  return method.tag === 'other' ? method.val : method.tag.toUpperCase()
}
