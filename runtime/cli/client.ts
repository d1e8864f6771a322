/**
 * The CLI's HTTP client: JSON in and out, the API key as a bearer token, and
 * problem+json answers turned into errors that keep the problem (its detail
 * and each pointer) for printing.
 */
import type { JsonValue } from '../../types/index.js'

export interface ProblemBody {
  readonly title?: string
  readonly status?: number
  readonly detail?: string
  readonly code?: string
  readonly errors?: readonly { pointer?: string; parameter?: string; message: string }[]
}

export class ApiError extends Error {
  readonly status: number
  readonly problem: ProblemBody
  constructor(status: number, problem: ProblemBody) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`)
    this.name = 'ApiError'
    this.status = status
    this.problem = problem
  }
}

export interface RequestOptions {
  readonly json?: unknown
  readonly bytes?: Uint8Array
  readonly query?: Readonly<Record<string, string | number | undefined>>
  readonly headers?: Readonly<Record<string, string>>
}

export interface ApiAnswer<T> {
  readonly status: number
  readonly body: T
  readonly headers: Headers
}

type NetworkError = {
  code?: string
  message?: string
  cause?: NetworkError
  errors?: NetworkError[]
}

/** What is under fetch's "fetch failed": a system error code (ECONNREFUSED, ENOTFOUND…) or a reason. */
function causeCode(error: unknown): string | undefined {
  const cause = (error as NetworkError).cause
  return cause?.code ?? cause?.errors?.[0]?.code ?? cause?.message
}

export class ApiClient {
  readonly url: string
  readonly #token: string | undefined

  constructor(url: string, token: string | undefined) {
    this.url = url.replace(/\/$/, '')
    this.#token = token
  }

  #target(path: string, options: RequestOptions): URL {
    const target = new URL(this.url + path)
    for (const [name, value] of Object.entries(options.query ?? {}))
      if (value !== undefined) target.searchParams.set(name, String(value))
    return target
  }

  #headers(accept: string, options: RequestOptions): Record<string, string> {
    const headers: Record<string, string> = { accept, ...options.headers }
    if (this.#token) headers.authorization = `Bearer ${this.#token}`
    return headers
  }

  async #fetch(target: URL, init: RequestInit): Promise<Response> {
    try {
      return await fetch(target, init)
    } catch (error) {
      const cause = causeCode(error) ?? (error as Error).message
      throw new Error(`cannot reach weir at ${this.url} (${cause}); is "weir serve" running?`)
    }
  }

  async request<T = JsonValue>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<ApiAnswer<T>> {
    const target = this.#target(path, options)
    const headers = this.#headers('application/json', options)
    let body: string | Uint8Array<ArrayBuffer> | undefined
    if (options.bytes) {
      headers['content-type'] = 'application/wasm'
      body = new Uint8Array(options.bytes)
    } else if (options.json !== undefined) {
      headers['content-type'] = 'application/json'
      body = JSON.stringify(options.json)
    }
    const response = await this.#fetch(target, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    })
    const text = await response.text()
    const parsed: unknown = text === '' ? undefined : JSON.parse(text)
    if (!response.ok) throw new ApiError(response.status, (parsed ?? {}) as ProblemBody)
    return { status: response.status, body: parsed as T, headers: response.headers }
  }

  /**
   * GETs a live stream (`text/event-stream`): its body once the server
   * answered 2xx; a problem answer is an ApiError, as for `request`.
   */
  async stream(
    path: string,
    options: Pick<RequestOptions, 'query' | 'headers'> = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const target = this.#target(path, options)
    const response = await this.#fetch(target, {
      headers: this.#headers('text/event-stream', options),
    })
    if (!response.ok) {
      const text = await response.text()
      let problem: ProblemBody = {}
      try {
        problem = text === '' ? {} : (JSON.parse(text) as ProblemBody)
      } catch {
        problem = { detail: text }
      }
      throw new ApiError(response.status, problem)
    }
    if (!response.body) throw new Error(`weir answered ${path} without a body`)
    return response.body
  }

  async get<T = JsonValue>(path: string, query?: RequestOptions['query']): Promise<T> {
    return (await this.request<T>('GET', path, query ? { query } : {})).body
  }

  async post<T = JsonValue>(path: string, json?: unknown): Promise<T> {
    return (await this.request<T>('POST', path, json === undefined ? {} : { json })).body
  }
}
