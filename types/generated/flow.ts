/* DO NOT EDIT: generated from types/schemas/flow.schema.json by `npm run generate`. */
import type {JsonValue} from '../json.js'
import type {ValueSchema} from './value-schema.js'

export type FlowName = string
export type Step =
  TaskStep | SleepStep | WaitStep | FlowStep | SetStep | FailStep | ParallelStep | ForEachStep
export type StepId = string
/**
 * What undoes a step that succeeded, run when the run is about to end failed with an error nothing routes, or is cancelled: a task or flow call with its own input, retry and timeout, its input seeing what dominates the step plus the step's own output (absent: the step's output).
 */
export type Compensation = TaskBranch | FlowBranch
/**
 * A step id, or `end` to finish the run.
 */
export type Target = string
/**
 * Where the run goes after this step: a step id, `end`, or edges tried in order.
 */
export type Next = Target | Edge[]
export type Edge = ConditionalEdge | ElseEdge
/**
 * Any JSON value; a string that is exactly `${expr}` becomes the value of the CEL expression, and `${expr}` inside a longer string interpolates its text.
 */
export type Template = JsonValue
export type Branch = TaskBranch | FlowBranch
export type Trigger = CronTrigger | HttpTrigger

/**
 * A flow: typed input, steps run one at a time with edges between them, and an output template.
 */
export interface FlowDocument {
  $schema?: string
  name: FlowName
  /**
   * Assigned by the server on publish: 1, 2, 3… per name.
   */
  version?: number
  description?: string
  /**
   * The folder that groups this flow; `default` when absent.
   */
  process?: string
  input?: ValueSchema
  /**
   * @minItems 1
   * @maxItems 5000
   */
  steps: Step[]
  /**
   * Any JSON value; a string that is exactly `${expr}` becomes the value of the CEL expression, and `${expr}` inside a longer string interpolates its text.
   */
  output?: JsonValue
  /**
   * Timeout of the whole run in milliseconds.
   */
  timeoutMs?: number
  triggers?: Trigger[]
  concurrency?: Concurrency
  limits?: FlowLimits
}
export interface TaskStep {
  id: StepId
  description?: string
  /**
   * `name` (pinned to the latest version on publish) or `name@version`.
   */
  task: string
  /**
   * Template of the task's input; absent, the output of the step that ran before (the flow input for the first step).
   */
  input?: JsonValue
  retry?: RetryPolicy
  /**
   * Timeout of one attempt; overrides the task's. 0 disables it.
   */
  timeoutMs?: number
  compensate?: Compensation
  onError?: Target
  next?: Next
}
export interface RetryPolicy {
  initialIntervalMs?: number
  backoffCoefficient?: number
  /**
   * Default: 100 × initialIntervalMs.
   */
  maximumIntervalMs?: number
  /**
   * 0 means unlimited.
   */
  maximumAttempts?: number
  /**
   * Error kinds (timeout, trap, …) or task error codes that are never retried.
   */
  nonRetryable?: string[]
}
export interface TaskBranch {
  /**
   * `name` (pinned to the latest version on publish) or `name@version`.
   */
  task: string
  /**
   * Template of the task's input; absent, the output of the step that ran before (the flow input for the first step).
   */
  input?: JsonValue
  retry?: RetryPolicy
  /**
   * Timeout of one attempt; overrides the task's. 0 disables it.
   */
  timeoutMs?: number
}
export interface FlowBranch {
  /**
   * `name` (pinned to the latest version on publish) or `name@version`.
   */
  flow: string
  /**
   * Template of the child run's input; absent, the output of the step that ran before (the flow input for the first step).
   */
  input?: JsonValue
  retry?: RetryPolicy
}
export interface ConditionalEdge {
  /**
   * A CEL expression of type bool.
   */
  if: string
  goto: Target
}
export interface ElseEdge {
  else: Target
}
export interface SleepStep {
  id: StepId
  description?: string
  /**
   * How long to wait: an ISO 8601 duration (`PT10M`) or milliseconds.
   */
  sleep: string | number
  next?: Next
}
export interface WaitStep {
  id: StepId
  description?: string
  /**
   * The event name delivered by POST /v1/runs/{id}/events/{event}.
   */
  waitFor: string
  /**
   * Schema of the event's payload, which becomes the step's output.
   */
  schema?: ValueSchema
  timeoutMs?: number
  onError?: Target
  next?: Next
}
/**
 * Runs a published flow as a child run and waits for it; its output is the child's output.
 */
export interface FlowStep {
  id: StepId
  description?: string
  /**
   * `name` (pinned to the latest version on publish) or `name@version`.
   */
  flow: string
  /**
   * Template of the child run's input; absent, the output of the step that ran before (the flow input for the first step).
   */
  input?: JsonValue
  retry?: RetryPolicy
  compensate?: Compensation
  onError?: Target
  next?: Next
}
/**
 * Its output is the template's value, typed as the template.
 */
export interface SetStep {
  id: StepId
  description?: string
  set: Template
  next?: Next
}
/**
 * Fails on purpose with kind task_error and its code, like a task that returned an error.
 */
export interface FailStep {
  id: StepId
  description?: string
  fail: Failure
  retry?: RetryPolicy
  onError?: Target
}
export interface Failure {
  /**
   * Any JSON value; a string that is exactly `${expr}` becomes the value of the CEL expression, and `${expr}` inside a longer string interpolates its text.
   */
  message: JsonValue
  /**
   * The error's code (`error.details.code`), matched by `retry.nonRetryable` and readable by conditions.
   */
  code?: string
}
/**
 * Named branches, each a task or flow call run as a child run, all at once; the output is the object of their outputs.
 */
export interface ParallelStep {
  id: StepId
  description?: string
  parallel: {
    [k: string]: Branch | undefined
  }
  onError?: Target
  next?: Next
}
/**
 * Calls a task or a flow once per element of a list, each call a child run, at most `concurrency` at a time; the output is the array of their outputs, in the list's order.
 */
export interface ForEachStep {
  id: StepId
  description?: string
  /**
   * A "${expr}" template whose expression is a list.
   */
  forEach: string
  /**
   * `name` (pinned to the latest version on publish) or `name@version`.
   */
  task?: string
  /**
   * `name` (pinned to the latest version on publish) or `name@version`.
   */
  flow?: string
  /**
   * Any JSON value; a string that is exactly `${expr}` becomes the value of the CEL expression, and `${expr}` inside a longer string interpolates its text.
   */
  input?: JsonValue
  retry?: RetryPolicy
  /**
   * Timeout of one attempt of a task; overrides the task's. 0 disables it.
   */
  timeoutMs?: number
  /**
   * Most calls running at once.
   */
  concurrency?: number
  /**
   * Each element of the output is { ok: true, output } or { ok: false, error } instead of the first failure failing the step.
   */
  continueOnError?: boolean
  onError?: Target
  next?: Next
}
export interface CronTrigger {
  /**
   * A five-field cron expression.
   */
  cron: string
  /**
   * IANA time zone; UTC when absent.
   */
  timezone?: string
  /**
   * The run input each tick starts with.
   */
  input?: JsonValue
  /**
   * A CEL guard over `input`; false skips the tick.
   */
  when?: string
}
export interface HttpTrigger {
  http: true
  /**
   * A CEL guard over `input`; false refuses the start.
   */
  when?: string
}
export interface Concurrency {
  limit: number
}
export interface FlowLimits {
  /**
   * Step budget of one run; the run fails when it is exceeded.
   */
  maxStepRuns?: number
  /**
   * Most elements a forEach step's list may have; a longer one fails the step before any call starts.
   */
  maxItems?: number
}
