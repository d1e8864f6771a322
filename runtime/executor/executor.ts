/**
 * The executor contract the engine depends on: run one attempt of a task and
 * answer with a tagged result. Expected failures are data, never exceptions.
 */
import type { EnvCapability, JsonValue, ValueSchema } from '../../types/index.js'
import type { FunctionBinding } from '../components/signature.js'
import type { AttemptStop } from './attempt-stop.js'

export type FailureKind =
  | 'task_error'
  | 'trap'
  | 'timeout'
  | 'input_invalid'
  | 'output_invalid'
  | 'limit_exceeded'
  | 'cancelled'
  | 'internal'

export interface AttemptFailure {
  readonly kind: FailureKind
  readonly message: string
  readonly details?: JsonValue
}

export type AttemptResult =
  | {
      readonly status: 'succeeded'
      readonly output: JsonValue
      readonly log: string
      readonly durationMs: number
    }
  | {
      readonly status: 'failed'
      readonly error: AttemptFailure
      readonly log: string
      readonly durationMs: number
    }

/** A published task as the executor needs it: everything resolved at publish time. */
export interface ExecutableTask {
  /** Identifies this task version; instances and compiled code are kept per key. */
  readonly key: string
  /** sha256 of the component bytes (hex). */
  readonly component: string
  readonly binding: FunctionBinding
  readonly schemas: {
    readonly input: ValueSchema
    readonly output: ValueSchema
    readonly error: ValueSchema
  }
  readonly timeoutMs: number
  readonly memoryMb: number
  /** `name@version`, as log lines name the task. */
  readonly ref: string
  /** What the task version may do beyond computing (its document's `capabilities`); sealed when absent. */
  readonly capabilities?: TaskCapabilities
}

/** Grants of a task version: outbound HTTP to an allow-list of origins (`*.` host and `:*` port wildcards). */
export interface TaskCapabilities {
  readonly http?: { readonly allow: readonly string[] }
  /** Variables: a literal, or a secret read at each attempt (the engine resolves them). */
  readonly env?: EnvCapability
}

/** What an attempt's task sees of its environment, resolved for this attempt. */
export interface AttemptEnvironment {
  readonly vars: readonly (readonly [string, string])[]
  /** Secret values among them: masked in the attempt's output and log. */
  readonly secretValues: readonly string[]
}

export interface AttemptRequest {
  readonly task: ExecutableTask
  readonly input: JsonValue
  /** Who the attempt is for (the flow's name): workers are shared fairly between groups. */
  readonly group?: string
  /** Stopping it stops the attempt: a queued one never starts, a running one has its worker terminated. */
  readonly stop?: AttemptStop
  /** The task's environment for this attempt (its `capabilities.env`, secrets opened). */
  readonly environment?: AttemptEnvironment
}

export interface Executor {
  execute(request: AttemptRequest): Promise<AttemptResult>
  close(): Promise<void>
}
