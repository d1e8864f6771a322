/**
 * Messages between a task thread and its HTTP helper thread. The task thread
 * posts requests and body chunks without waiting; the helper answers on the
 * same channel and bumps the task thread's wake signal after every message,
 * so a guest blocked in `poll` reads the answer with `receiveMessageOnPort`.
 */
import type { ErrorCode } from '@bytecodealliance/preview2-shim/interfaces/wasi-http-types'
import type { HttpScheme } from './allow-list.js'

/** What the helper needs to know when it starts the helper thread. */
export interface HelperData {
  /** The task thread's wake signal (an Int32Array's buffer). */
  readonly wake: SharedArrayBuffer
  /** Extra trusted CA certificates (PEM), added to Node's default store. */
  readonly extraCa: string | undefined
}

export interface StartRequest {
  readonly type: 'start'
  readonly id: number
  readonly method: string
  readonly scheme: HttpScheme
  readonly host: string
  readonly port: number
  readonly path: string
  readonly headers: readonly (readonly [string, string])[]
  /** Body chunks written before the request was sent. */
  readonly body: readonly Uint8Array[]
  /** The body is complete (no `body`/`end` messages follow). */
  readonly ended: boolean
  /** The entry that allowed it has a `*.` host: link-local destinations are refused after DNS. */
  readonly guardLinkLocal: boolean
  readonly maxResponseBytes: number
  /** From the request's options, in ms. */
  readonly connectTimeoutMs: number | undefined
  readonly firstByteTimeoutMs: number | undefined
  readonly betweenBytesTimeoutMs: number | undefined
}

export type ToHelper =
  | StartRequest
  | { readonly type: 'body'; readonly id: number; readonly chunk: Uint8Array }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'abort'; readonly id: number }

export type FromHelper =
  | {
      readonly type: 'head'
      readonly id: number
      readonly status: number
      readonly headers: readonly (readonly [string, string])[]
    }
  | { readonly type: 'chunk'; readonly id: number; readonly chunk: Uint8Array }
  | { readonly type: 'done'; readonly id: number }
  /** Before `head`: the request failed; after it: the body did. `reason` is for the log. */
  | {
      readonly type: 'failed'
      readonly id: number
      readonly code: ErrorCode
      readonly reason: string
    }
