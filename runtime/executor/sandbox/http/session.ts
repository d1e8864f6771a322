/**
 * Outbound HTTP for one task instance: `wasi:http/outgoing-handler#handle`
 * with the task version's grant. A request's scheme, host and port, as the
 * task wrote them, are matched against the allow-list; a refused request
 * fails inside the task as `HTTP-request-denied` (which it can handle) and
 * the attempt log says why. The grant is fixed when the task is prepared:
 * nothing the task does at run time widens it.
 */
import type { AttemptLog } from '../attempt-log.js'
import { type AllowEntry, matchOrigin, parseAllowList, requestOrigin } from './allow-list.js'
import { helperChannel } from './channel.js'
import { Exchange } from './exchange.js'
import { refusedLine } from './log-line.js'
import {
  methodText,
  OutgoingBody,
  OutgoingRequest,
  type RequestOptions,
  schemeText,
} from './request.js'
import { FutureIncomingResponse } from './response.js'

/** Pool-wide settings of outbound HTTP. */
export interface HttpSettings {
  /** Response bodies are cut beyond this many bytes. */
  readonly maxResponseBytes: number
  /** Extra trusted CA certificates (PEM). */
  readonly extraCa: string | undefined
}

export interface HttpTask {
  readonly ref: string
  readonly allow: readonly string[] | undefined
}

const denied = { tag: 'HTTP-request-denied' } as const
const toMs = (d: bigint | undefined) => (d === undefined ? undefined : Number(d / 1_000_000n))

export class HttpSession {
  readonly #task: HttpTask
  readonly #entries: readonly AllowEntry[]
  readonly #settings: HttpSettings
  readonly #log: () => AttemptLog
  readonly #open = new Set<Exchange>()

  constructor(task: HttpTask, settings: HttpSettings, log: () => AttemptLog) {
    this.#task = { ref: task.ref, allow: task.allow ? [...task.allow] : undefined }
    this.#entries = Object.freeze(parseAllowList(task.allow ?? []))
    this.#settings = settings
    this.#log = log
    // Start the helper early, while the thread is idle, so the first request does not wait for it.
    if (this.#entries.length > 0) helperChannel(settings.extraCa)
  }

  #write(line: string): void {
    this.#log().write(new TextEncoder().encode(line))
  }

  handle(request: OutgoingRequest, options: RequestOptions | undefined): FutureIncomingResponse {
    const origin = requestOrigin(schemeText(request.scheme()), request.authority())
    if ('kind' in origin) {
      switch (origin.kind) {
        case 'scheme':
          this.#write(`http request refused: scheme "${origin.scheme}" is not http or https\n`)
          throw denied
        case 'userinfo':
          this.#write(`http request to ${origin.text} refused: the URL carries userinfo\n`)
          throw denied
        case 'authority':
          throw { tag: 'HTTP-request-URI-invalid' }
      }
    }
    const entry = matchOrigin(this.#entries, origin)
    if (!entry) {
      this.#write(refusedLine(origin.text, this.#task.ref, this.#task.allow))
      throw denied
    }
    const path = request.pathWithQuery() ?? '/'
    const method = methodText(request.method())
    const exchange = new Exchange(
      helperChannel(this.#settings.extraCa),
      { method, origin: origin.text, path },
      (line) => this.#write(line),
    )
    this.#open.add(exchange)
    const body = OutgoingRequest.takenBody(request)
    const { written, finished } = body
      ? OutgoingBody.attach(body, {
          chunk: (chunk) => exchange.post({ type: 'body', chunk }),
          end: () => exchange.post({ type: 'end' }),
          abort: () => exchange.abandon('the task dropped the request body before finishing it'),
        })
      : { written: [], finished: true }
    const decoder = new TextDecoder()
    exchange.start({
      method,
      scheme: origin.scheme,
      host: origin.host,
      port: origin.port,
      path,
      headers: request
        .headers()
        .entries()
        .map(([n, v]) => [n, decoder.decode(v)] as const),
      body: written,
      ended: finished,
      guardLinkLocal: entry.wildcard,
      maxResponseBytes: this.#settings.maxResponseBytes,
      connectTimeoutMs: toMs(options?.connectTimeout()),
      firstByteTimeoutMs: toMs(options?.firstByteTimeout()),
      betweenBytesTimeoutMs: toMs(options?.betweenBytesTimeout()),
    })
    return new FutureIncomingResponse(exchange)
  }

  /** Stops what is still under way when an attempt ends (the instance may serve the next one). */
  endAttempt(): void {
    for (const exchange of this.#open) exchange.abandon('still under way when the attempt ended')
    this.#open.clear()
  }
}
