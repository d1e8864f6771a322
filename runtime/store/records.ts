/**
 * What the store keeps, as the rest of weir sees it: published components,
 * tasks and flows; runs, their step runs and attempts, and their history.
 */
import type { FlowDocument, JsonValue, TaskDocument, ValueSchema } from '../../types/index.js'
import type { FunctionBinding } from '../components/signature.js'

/** Every run status, in the order a run may pass through them (DESIGN §5). */
export const runStatuses = [
  'queued',
  'running',
  'waiting',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
] as const

export type RunStatus = (typeof runStatuses)[number]

export const terminalStatuses: ReadonlySet<RunStatus> = new Set([
  'completed',
  'failed',
  'cancelled',
  'terminated',
  'timed_out',
])

export type StepRunStatus =
  | 'running'
  | 'waiting'
  | 'succeeded'
  | 'failed'
  | 'timed_out'
  | 'cancelled'
  | 'skipped'

export type ErrorKind =
  | 'task_error'
  | 'trap'
  | 'timeout'
  | 'input_invalid'
  | 'output_invalid'
  | 'limit_exceeded'
  | 'cancelled'
  | 'child_failed'
  | 'internal'

/** Why a step or a run failed: stored as data, shown by the API. */
export interface RunError {
  readonly step: string
  readonly task: string
  readonly kind: ErrorKind
  readonly message: string
  readonly details?: JsonValue
  readonly attempt: number
}

export interface TaskRecord {
  readonly name: string
  readonly version: number
  readonly document: TaskDocument & { version: number; component: string }
  readonly binding: FunctionBinding
  readonly createdAt: number
  /** The id of the API key that published this version (and so granted its capabilities), when known. */
  readonly publishedBy?: string
}

export interface FlowRecord {
  readonly name: string
  readonly version: number
  readonly process: string
  /** The pinned document (every task and flow reference `name@version`). */
  readonly document: FlowDocument & { version: number }
  readonly createdAt: number
  /** The schema of its runs' output, computed at publish; undefined until a version published before it was stored is backfilled. */
  readonly outputSchema: ValueSchema | undefined
  /** How many levels of child runs its runs can start below themselves. */
  readonly nesting: number
}

/** What the current step waits for: a sleep until a time, or a named event (until a deadline). */
export type StepWait =
  | { readonly kind: 'sleep'; readonly since: number; readonly until: number }
  | {
      readonly kind: 'event'
      readonly since: number
      readonly name: string
      readonly deadline: number | undefined
    }
  | {
      readonly kind: 'callback'
      readonly since: number
      /** sha256 of the callback token, hex. */
      readonly tokenHash: string
      readonly heartbeatTimeoutMs: number | undefined
      readonly heartbeatDeadline: number | undefined
      /** The fail-safe: the wait ends then, whatever keep-alives arrived. */
      readonly deadline: number
    }
  | {
      /** A flow step waits for its child run to finish. */
      readonly kind: 'child'
      readonly since: number
      readonly run: string
    }
  | {
      /** A parallel step waits for its branches' child runs, by branch. */
      readonly kind: 'branches'
      readonly since: number
      readonly runs: Readonly<Record<string, string>>
    }
  | {
      /** A for-each step: `total` items, the first `next` started, those `running` (by index). */
      readonly kind: 'items'
      readonly since: number
      readonly total: number
      readonly next: number
      readonly running: Readonly<Record<string, string>>
      /** Items an earlier attempt completed (a retried run): their outputs are taken, not run again. */
      readonly reused?: number
      /** The bytes of the outputs gathered so far (held to the stored-value limit as they come). */
      readonly bytes?: number
    }

/** Where a child run comes from: the run and step that started it, and the item or branch it is for. */
export interface RunParent {
  readonly run: string
  readonly step: string
  readonly index?: number
  readonly branch?: string
}

export interface RunRecord {
  readonly id: string
  readonly flow: { readonly name: string; readonly version: number }
  readonly process: string
  readonly status: RunStatus
  readonly input: JsonValue
  readonly output: JsonValue | undefined
  readonly error: RunError | undefined
  readonly createdAt: number
  readonly startedAt: number | undefined
  readonly finishedAt: number | undefined
  /** The step that runs next (or is running, waiting, paused before). */
  readonly currentStep: string | undefined
  /** What the current step waits for, while it waits. */
  readonly waiting: StepWait | undefined
  readonly idempotencyKey: string | undefined
  /** For a child run: the run and step that started it. */
  readonly parent?: RunParent
  /** For a child run: the root of its tree (the run no step started). */
  readonly root?: string
  /** How many levels below its root (absent: 0, a root run). */
  readonly depth?: number
  /** For a parallel branch: the one-step flow of its parent's flow it runs (`step/branch`). */
  readonly inline?: string
  /** Whether the compensations of a failed or cancelled run are running, completed or failed. */
  readonly compensation?: CompensationStatus
  /** The W3C trace context it was started under, if any. */
  readonly traceparent?: string
}

export type CompensationStatus = 'running' | 'completed' | 'failed'

/**
 * A run undoing its steps before it ends failed or cancelled (DESIGN §12):
 * the step runs still to compensate, most recent first, how many
 * compensations failed, and the outcome (and error) the run ends with.
 */
export interface Compensation {
  readonly status: CompensationStatus
  readonly outcome: 'failed' | 'cancelled'
  readonly error?: RunError
  readonly pending: readonly { readonly seq: number; readonly step: string }[]
  readonly failed: number
}

export interface AttemptRecord {
  readonly number: number
  readonly status: 'succeeded' | 'failed'
  readonly input: JsonValue | undefined
  readonly output: JsonValue | undefined
  readonly error: RunError | undefined
  readonly log: string
  readonly startedAt: number
  readonly finishedAt: number
}

export interface StepRunRecord {
  readonly seq: number
  readonly stepId: string
  readonly status: StepRunStatus
  readonly task: { readonly name: string; readonly version: number } | undefined
  readonly input: JsonValue | undefined
  readonly output: JsonValue | undefined
  readonly error: RunError | undefined
  readonly startedAt: number
  readonly finishedAt: number | undefined
  readonly attempts: AttemptRecord[]
  /** An async step's callback: the token that completes it. */
  readonly callback: { readonly token: string } | undefined
  /** A compensation's step run: the step run it undoes. */
  readonly compensates?: number
}

export type EventType =
  | 'run_queued'
  | 'run_started'
  | 'step_started'
  | 'step_waiting'
  | 'step_succeeded'
  | 'step_failed'
  | 'step_timed_out'
  | 'retry_scheduled'
  | 'branch_taken'
  | 'error_routed'
  | 'run_completed'
  | 'run_failed'
  | 'run_cancelled'
  | 'run_terminated'
  | 'run_timed_out'
  | 'run_paused'
  | 'run_resumed'
  | 'run_retried'
  | 'compensation_started'

export interface EventRecord {
  readonly seq: number
  readonly type: EventType
  readonly at: number
  readonly stepId: string | undefined
  readonly data: JsonValue
}

/** A start that a trigger's `when` guard refused: no run was created. */
export interface RefusedStart {
  readonly id: string
  readonly flow: { readonly name: string; readonly version: number }
  /** The trigger whose guard refused, as a pointer into the flow (`/triggers/0`). */
  readonly trigger: string
  readonly input: JsonValue
  readonly reason: string
  /** Why, as a stable code: the guard was false, could not be evaluated, or passed its cost budget. */
  readonly code: RefusalCode
  readonly createdAt: number
}

export type RefusalCode = 'guard_false' | 'guard_error' | 'expression_limit'

export const refusalCodes: readonly RefusalCode[] = [
  'guard_false',
  'guard_error',
  'expression_limit',
]

/** A schedule: a flow's cron trigger (source `flow`) or one made through the API. */
export interface ScheduleRecord {
  readonly id: string
  readonly flow: string
  readonly source: 'flow' | 'api'
  /** The index of the flow's trigger (source `flow`). */
  readonly trigger: number | undefined
  readonly cron: string
  readonly timezone: string
  readonly input: JsonValue
  readonly paused: boolean
  /** The next tick, epoch ms (undefined when the expression has no further time). */
  readonly nextFireAt: number | undefined
  readonly lastFireAt: number | undefined
  readonly createdAt: number
  readonly updatedAt: number
}

export type Role = 'admin' | 'publisher' | 'operator' | 'viewer'

export interface ApiKeyRecord {
  readonly id: string
  readonly name: string
  readonly role: Role
  /** sha256 of the key's secret, hex. */
  readonly secretHash: string
  readonly createdAt: number
}

/** A secret as it is listed: its name and times, never its value. */
export interface SecretRecord {
  readonly name: string
  readonly createdAt: number
  readonly updatedAt: number
}
