/**
 * The API's resource shapes (DESIGN §8): records as clients see them, with
 * ISO 8601 timestamps and `null` for values not there yet. Field names are
 * stable; fields may be added.
 */
import type { JsonValue } from '../../types/index.js'
import type {
  ApiKeyRecord,
  AttemptRecord,
  CompensationStatus,
  EventRecord,
  FlowRecord,
  RefusedStart,
  Role,
  RunError,
  RunParent,
  RunRecord,
  SecretRecord,
  StepRunRecord,
  StepWait,
  TaskRecord,
} from '../store/records.js'
import type { NodeRecord } from '../store/store.js'

export const iso = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString()

const orNull = <T>(value: T | undefined): T | null => (value === undefined ? null : value)

export interface RunResource {
  readonly id: string
  readonly flow: { readonly name: string; readonly version: number }
  readonly process: string
  readonly status: string
  readonly input: JsonValue
  readonly output: JsonValue | null
  readonly error: RunError | null
  readonly createdAt: string | null
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly currentStep: string | null
  readonly waiting: WaitResource | null
  readonly idempotencyKey: string | null
  readonly parent: RunParent | null
  readonly root: string
  readonly compensation: CompensationStatus | null
}

export type WaitResource =
  | { readonly kind: 'sleep'; readonly since: string | null; readonly until: string | null }
  | {
      readonly kind: 'event'
      readonly event: string
      readonly since: string | null
      readonly deadline: string | null
    }
  | {
      readonly kind: 'callback'
      readonly since: string | null
      readonly heartbeatDeadline: string | null
      readonly deadline: string | null
    }
  | { readonly kind: 'child'; readonly run: string; readonly since: string | null }
  | {
      readonly kind: 'branches'
      readonly runs: Readonly<Record<string, string>>
      readonly since: string | null
    }
  | {
      readonly kind: 'items'
      readonly total: number
      readonly started: number
      readonly running: Readonly<Record<string, string>>
      readonly since: string | null
    }

function waitResource(wait: StepWait): WaitResource {
  switch (wait.kind) {
    case 'sleep':
      return { kind: 'sleep', since: iso(wait.since), until: iso(wait.until) }
    case 'event':
      return {
        kind: 'event',
        event: wait.name,
        since: iso(wait.since),
        deadline: iso(wait.deadline),
      }
    case 'callback':
      return {
        kind: 'callback',
        since: iso(wait.since),
        heartbeatDeadline: iso(wait.heartbeatDeadline),
        deadline: iso(wait.deadline),
      }
    case 'child':
      return { kind: 'child', run: wait.run, since: iso(wait.since) }
    case 'branches':
      return { kind: 'branches', runs: wait.runs, since: iso(wait.since) }
    case 'items':
      return {
        kind: 'items',
        total: wait.total,
        started: wait.next,
        running: wait.running,
        since: iso(wait.since),
      }
  }
}

export function runResource(run: RunRecord): RunResource {
  return {
    id: run.id,
    flow: run.flow,
    process: run.process,
    status: run.status,
    input: run.input,
    output: orNull(run.output),
    error: orNull(run.error),
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    currentStep: orNull(run.currentStep),
    waiting: run.waiting ? waitResource(run.waiting) : null,
    idempotencyKey: orNull(run.idempotencyKey),
    parent: orNull(run.parent),
    root: run.root ?? run.id,
    compensation: orNull(run.compensation),
  }
}

function attemptResource(attempt: AttemptRecord) {
  return {
    number: attempt.number,
    status: attempt.status,
    input: orNull(attempt.input),
    output: orNull(attempt.output),
    error: orNull(attempt.error),
    log: attempt.log,
    startedAt: iso(attempt.startedAt),
    finishedAt: iso(attempt.finishedAt),
  }
}

/**
 * Roles a step's callback token is shown to. The token completes or fails the
 * step, so it is given to the roles that operate runs — named, not ranked:
 * roles are not a ladder, and a publisher or viewer key only reads.
 */
export const callbackRoles: ReadonlySet<Role> = new Set<Role>(['admin', 'operator'])

/**
 * A step run. An async step's `callback` carries its token and the URL to
 * call (under `baseUrl`: WEIR_PUBLIC_URL, else the request's origin — the URL
 * goes to a third party, so it must be absolute) when `showToken` is true (see
 * `callbackRoles`); for other keys both are null, so the step still says it
 * waits for a callback.
 */
export function stepRunResource(step: StepRunRecord, baseUrl: string, showToken: boolean) {
  return {
    seq: step.seq,
    stepId: step.stepId,
    status: step.status,
    task: orNull(step.task),
    input: orNull(step.input),
    output: orNull(step.output),
    error: orNull(step.error),
    startedAt: iso(step.startedAt),
    finishedAt: iso(step.finishedAt),
    attempts: step.attempts.map(attemptResource),
    ...(step.compensates === undefined ? {} : { compensates: step.compensates }),
    ...(step.callback
      ? {
          callback: showToken
            ? { token: step.callback.token, url: `${baseUrl}/v1/callbacks/${step.callback.token}` }
            : { token: null, url: null },
        }
      : {}),
  }
}

export function eventResource(event: EventRecord) {
  return {
    seq: event.seq,
    type: event.type,
    at: iso(event.at),
    ...(event.stepId === undefined ? {} : { stepId: event.stepId }),
    data: event.data,
  }
}

export function taskResource(task: TaskRecord) {
  return {
    name: task.name,
    version: task.version,
    component: task.document.component,
    signature: task.binding.signature,
    export: task.binding.export,
    createdAt: iso(task.createdAt),
    capabilities: task.document.capabilities ?? {},
    publishedBy: task.publishedBy ?? null,
    document: task.document,
  }
}

export function flowResource(flow: FlowRecord) {
  return {
    name: flow.name,
    version: flow.version,
    process: flow.process,
    createdAt: iso(flow.createdAt),
    document: flow.document,
    // Versions published before weir stored it get theirs at the server's start.
    outputSchema: flow.outputSchema ?? {},
    nesting: flow.nesting,
  }
}

export function refusalResource(refused: RefusedStart) {
  return {
    started: false,
    reason: refused.reason,
    code: refused.code,
    trigger: refused.trigger,
    id: refused.id,
    flow: refused.flow,
    input: refused.input,
    createdAt: iso(refused.createdAt),
  }
}

export function keyResource(key: ApiKeyRecord) {
  return { id: key.id, name: key.name, role: key.role, createdAt: iso(key.createdAt) }
}

export function nodeResource(node: NodeRecord, self: string) {
  return {
    id: node.id,
    host: node.host,
    pid: node.pid,
    startedAt: iso(node.startedAt),
    heartbeatAt: iso(node.heartbeatAt),
    runs: node.runs,
    self: node.id === self,
  }
}

export function secretResource(secret: SecretRecord) {
  return { name: secret.name, createdAt: iso(secret.createdAt), updatedAt: iso(secret.updatedAt) }
}
