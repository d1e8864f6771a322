/** Reads rows back into records, parsing the JSON columns. */
import type { JsonValue, ValueSchema } from '../../../types/index.js'
import type { FunctionBinding } from '../../components/signature.js'
import type {
  ApiKeyRecord,
  AttemptRecord,
  Compensation,
  EventRecord,
  EventType,
  FlowRecord,
  Role,
  RunError,
  RunRecord,
  RunStatus,
  StepRunRecord,
  StepRunStatus,
  StepWait,
  TaskRecord,
} from '../records.js'
import type { RunProgress } from '../store.js'
import type { SqlRow as Row } from './sql-client.js'

export function parseJson<T = JsonValue>(value: unknown): T | undefined {
  return value === null || value === undefined ? undefined : (JSON.parse(String(value)) as T)
}

const num = (value: unknown): number | undefined =>
  value === null || value === undefined ? undefined : Number(value)
const str = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value)

export function runFromRow(row: Row): RunRecord {
  return {
    id: String(row.id),
    flow: { name: String(row.flow_name), version: Number(row.flow_version) },
    process: String(row.process),
    status: String(row.status) as RunStatus,
    input: parseJson(row.input) as JsonValue,
    output: parseJson(row.output),
    error: parseJson<RunError>(row.error),
    createdAt: Number(row.created_at),
    startedAt: num(row.started_at),
    finishedAt: num(row.finished_at),
    currentStep: str(row.current_step),
    waiting: waitingOf(row),
    idempotencyKey: str(row.idempotency_key),
    ...lineageOf(row),
    ...compensationOf(row),
    ...(row.traceparent === null || row.traceparent === undefined
      ? {}
      : { traceparent: String(row.traceparent) }),
  }
}

/** A child run's parent, root and depth (nothing for a root run). */
function lineageOf(row: Row): Pick<RunRecord, 'parent' | 'root' | 'depth' | 'inline'> {
  const run = str(row.parent_run)
  if (run === undefined) return {}
  const key = String(row.parent_key ?? '')
  const place = key.startsWith('#')
    ? { index: Number(key.slice(1)) }
    : key === ''
      ? {}
      : { branch: key }
  return {
    parent: { run, step: String(row.parent_step), ...place },
    root: String(row.root_run),
    depth: Number(row.depth),
    ...(row.inline === null || row.inline === undefined ? {} : { inline: String(row.inline) }),
  }
}

/** A run's compensation status, when it began to undo its steps. */
function compensationOf(row: Row): Pick<RunRecord, 'compensation'> {
  const compensation = parseJson<Compensation>(row.compensation)
  return compensation ? { compensation: compensation.status } : {}
}

const waitingOf = (row: Row): StepWait | undefined =>
  row.waiting === null || row.waiting === undefined ? undefined : parseJson<StepWait>(row.waiting)

export function progressFromRow(row: Row): RunProgress {
  return {
    status: String(row.status) as RunStatus,
    currentStep: str(row.current_step),
    attempt: Number(row.attempt),
    stepSeq: Number(row.step_seq),
    stepRuns: Number(row.step_runs),
    previousStep: str(row.previous_step),
    wakeAt: num(row.wake_at),
    deadline: num(row.deadline),
    eventSeq: Number(row.event_seq),
    ...(row.output === null ? {} : { output: parseJson(row.output) as JsonValue }),
    ...(row.error === null ? {} : { error: parseJson<RunError>(row.error) as RunError }),
    ...(row.started_at === null ? {} : { startedAt: Number(row.started_at) }),
    ...(row.finished_at === null ? {} : { finishedAt: Number(row.finished_at) }),
    ...(waitingOf(row) ? { waiting: waitingOf(row) } : {}),
    ...(Number(row.attempt_base ?? 0) > 0 ? { attemptBase: Number(row.attempt_base) } : {}),
    ...(row.compensation === null || row.compensation === undefined
      ? {}
      : { compensation: parseJson<Compensation>(row.compensation) as Compensation }),
  }
}

export function attemptFromRow(row: Row): AttemptRecord {
  return {
    number: Number(row.number),
    status: String(row.status) as AttemptRecord['status'],
    input: parseJson(row.input),
    output: parseJson(row.output),
    error: parseJson<RunError>(row.error),
    log: String(row.log),
    startedAt: Number(row.started_at),
    finishedAt: Number(row.finished_at),
  }
}

export function stepRunFromRow(row: Row, attempts: AttemptRecord[]): StepRunRecord {
  const taskName = str(row.task_name)
  return {
    seq: Number(row.seq),
    stepId: String(row.step_id),
    status: String(row.status) as StepRunStatus,
    task:
      taskName === undefined ? undefined : { name: taskName, version: Number(row.task_version) },
    input: parseJson(row.input),
    output: parseJson(row.output),
    error: parseJson<RunError>(row.error),
    startedAt: Number(row.started_at),
    finishedAt: num(row.finished_at),
    attempts,
    callback: parseJson<{ token: string }>(row.callback),
    ...(row.compensates === null || row.compensates === undefined
      ? {}
      : { compensates: Number(row.compensates) }),
  }
}

export function eventFromRow(row: Row): EventRecord {
  return {
    seq: Number(row.seq),
    type: String(row.type) as EventType,
    at: Number(row.at),
    stepId: str(row.step_id),
    data: parseJson(row.data) as JsonValue,
  }
}

export function apiKeyFromRow(row: Row): ApiKeyRecord {
  return {
    id: String(row.id),
    name: String(row.name),
    role: String(row.role) as Role,
    secretHash: String(row.secret_hash),
    createdAt: Number(row.created_at),
  }
}

export function taskFromRow(row: Row): TaskRecord {
  const version = Number(row.version)
  // The stored document lacks its version (it is allocated in the same insert): it is added here.
  const document = { ...JSON.parse(String(row.document)), version } as TaskRecord['document']
  return {
    name: String(row.name),
    version,
    document,
    binding: JSON.parse(String(row.binding)) as FunctionBinding,
    createdAt: Number(row.created_at),
    ...(row.published_by === null || row.published_by === undefined
      ? {}
      : { publishedBy: String(row.published_by) }),
  }
}

export function flowFromRow(row: Row): FlowRecord {
  const version = Number(row.version)
  return {
    name: String(row.name),
    version,
    process: String(row.process),
    document: { ...JSON.parse(String(row.document)), version } as FlowRecord['document'],
    createdAt: Number(row.created_at),
    outputSchema:
      row.output_schema === null || row.output_schema === undefined
        ? undefined
        : (JSON.parse(String(row.output_schema)) as ValueSchema),
    nesting: Number(row.nesting ?? 0),
  }
}
