/** Messages between the worker pool and its worker threads. */
import type { JsonLimits, JsonValue } from '../../types/index.js'
import type { AttemptEnvironment, AttemptResult, ExecutableTask } from './executor.js'
import type { HttpSettings } from './sandbox/http/session.js'

export interface PrepareMessage {
  readonly type: 'prepare'
  readonly task: ExecutableTask
  /** file: URL of the transpiled component's JS. */
  readonly jsUrl: string
  /** The component's core modules, compiled (with memories capped) once per process. */
  readonly modules: Readonly<Record<string, WebAssembly.Module>>
  readonly logLimit: number
  /** Bounds on the task's output and error payload, checked before anything else reads them. */
  readonly valueLimits: JsonLimits
  /** Outbound HTTP settings of the pool (body cap, extra CA); the grant itself is `task.capabilities`. */
  readonly http: HttpSettings
}

export interface CallMessage {
  readonly type: 'call'
  readonly id: number
  readonly key: string
  readonly input: JsonValue
  /** The task's environment for this attempt only (vars, and the secret values to mask); absent: none. */
  readonly environment?: AttemptEnvironment
}

/** Drops an attempt queued in the worker before it starts (it was aborted, or another group goes first). */
export interface SkipMessage {
  readonly type: 'skip'
  readonly id: number
}

export type ToWorker = PrepareMessage | CallMessage | SkipMessage

export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'result'; readonly id: number; readonly result: AttemptResult }
  /** The answer to a skip that came before the attempt started (else its result comes). */
  | { readonly type: 'skipped'; readonly id: number }
