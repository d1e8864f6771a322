/**
 * New runs and run changes as the values their rows bind, serialized when
 * they are submitted — before they join a group commit. A value that cannot
 * be written as JSON (nested deeper than `JSON.stringify` can go, a BigInt, a
 * cycle) therefore fails its own change, never the group's transaction and
 * the other runs' changes in it.
 */

import type { JsonValue } from '../../../types/index.js'
import { UnstorableValueError } from '../../errors.js'
import type { NewEvent, NewRun, RunChange, RunProgress, SlotGuard } from '../store.js'
import { requestRow } from './request-queries.js'
import type { SqlValue } from './sql-client.js'

/** A run change as row values: the group's statements are built from these alone. */
export interface ChangeRows {
  readonly runId: string
  /** The epoch the change is fenced by (see RunChange). */
  readonly epoch: number | undefined
  /** The runs row (every column the change sets but `updated_at`, which the write sets). */
  readonly progress: SqlValue[]
  readonly stepRun: SqlValue[] | undefined
  readonly attempt: SqlValue[] | undefined
  readonly events: SqlValue[][]
  /** `[status, at, runId, seq]` of a waiting step run to end. */
  readonly endWait: SqlValue[] | undefined
  readonly slot: SlotGuard | undefined
  /** Child runs the change starts. */
  readonly children: NewRunRows[]
  /** Requests recorded with the change (`requestColumns`). */
  readonly requests: SqlValue[][]
}

/** A new run as row values; `idempotencyKey` set when the insert is guarded by one. */
export interface NewRunRows {
  readonly id: string
  readonly flowName: string
  readonly idempotencyKey: string | undefined
  readonly createdAt: number
  /** The runs row, in the order of `newRunColumns`. */
  readonly run: SqlValue[]
  readonly events: SqlValue[][]
  readonly slot: SlotGuard | undefined
}

export type ColumnType = 'text' | 'int' | 'lease'

/** The columns of `NewRunRows.run`, in order, each with what it holds (`lease`: a lease's length, added to the database's clock by the insert). */
const runColumnTypes = [
  ['id', 'text'],
  ['flow_name', 'text'],
  ['flow_version', 'int'],
  ['process', 'text'],
  ['status', 'text'],
  ['input', 'text'],
  ['current_step', 'text'],
  ['attempt', 'int'],
  ['step_seq', 'int'],
  ['step_runs', 'int'],
  ['previous_step', 'text'],
  ['wake_at', 'int'],
  ['deadline', 'int'],
  ['event_seq', 'int'],
  ['idempotency_key', 'text'],
  ['created_at', 'int'],
  ['started_at', 'int'],
  ['updated_at', 'int'],
  ['owner', 'text'],
  ['epoch', 'int'],
  ['lease_until', 'lease'],
  ['parent_run', 'text'],
  ['parent_step', 'text'],
  ['parent_seq', 'int'],
  ['parent_attempt', 'int'],
  ['parent_key', 'text'],
  ['root_run', 'text'],
  ['depth', 'int'],
  ['inline', 'text'],
  ['traceparent', 'text'],
] as const satisfies readonly (readonly [string, ColumnType])[]

/** The columns of `NewRunRows.run`. */
export const newRunColumns = runColumnTypes.map(([column]) => column).join(', ')

/** What each of `newRunColumns` holds. */
export const runTypes: readonly ColumnType[] = runColumnTypes.map(([, type]) => type)

/** The `runs` columns a change sets, in the order of `ChangeRows.progress` (then `updated_at`), with what each holds. */
const progressColumnTypes = [
  ['status', 'text'],
  ['current_step', 'text'],
  ['attempt', 'int'],
  ['step_seq', 'int'],
  ['step_runs', 'int'],
  ['previous_step', 'text'],
  ['wake_at', 'int'],
  ['deadline', 'int'],
  ['event_seq', 'int'],
  ['output', 'text'],
  ['error', 'text'],
  ['started_at', 'int'],
  ['finished_at', 'int'],
  ['waiting', 'text'],
  ['attempt_base', 'int'],
  ['compensation', 'text'],
] as const satisfies readonly (readonly [string, ColumnType])[]

export const progressColumns: readonly string[] = progressColumnTypes.map(([column]) => column)

/** What each of `progressColumns` holds. */
export const progressTypes: readonly ColumnType[] = progressColumnTypes.map(([, type]) => type)

const opt = <T extends SqlValue>(value: T | undefined): T | null =>
  value === undefined ? null : value

/** Why JSON.stringify gave up, in words a client can act on. */
function reason(error: unknown): string {
  if (error instanceof RangeError) return 'it nests too deeply to be written as JSON'
  if (error instanceof TypeError && /BigInt/i.test(error.message))
    return 'it holds a BigInt, which JSON cannot represent'
  if (error instanceof TypeError && /circular/i.test(error.message))
    return 'it refers to itself (a cycle), which JSON cannot represent'
  return `it cannot be written as JSON (${error instanceof Error ? error.message : String(error)})`
}

/** Serializes one value of a run, naming the run and the value when it cannot be. */
function serializer(runId: string) {
  return (value: JsonValue | object | undefined, what: string): string | null => {
    if (value === undefined) return null
    try {
      return JSON.stringify(value)
    } catch (error) {
      throw new UnstorableValueError(
        `run ${runId}: ${what} cannot be stored: ${reason(error)}`,
        error,
      )
    }
  }
}

function eventRows(
  runId: string,
  firstSeq: number,
  events: readonly NewEvent[],
  json: ReturnType<typeof serializer>,
): SqlValue[][] {
  return events.map((e, i) => [
    runId,
    firstSeq + i,
    e.type,
    e.at,
    e.stepId ?? null,
    json(e.data, 'the data of its events') ?? 'null',
  ])
}

function progressRow(p: RunProgress, json: ReturnType<typeof serializer>): SqlValue[] {
  return [
    p.status,
    p.currentStep ?? null,
    p.attempt,
    p.stepSeq,
    p.stepRuns,
    opt(p.previousStep),
    opt(p.wakeAt),
    opt(p.deadline),
    p.eventSeq,
    json(p.output, 'its output'),
    json(p.error, 'its error'),
    opt(p.startedAt),
    opt(p.finishedAt),
    json(p.waiting, 'what its step waits for'),
    p.attemptBase ?? 0,
    json(p.compensation, 'its compensation'),
  ]
}

/** The rows of a run change; throws UnstorableValueError when one of its values cannot be written. */
export function changeRows(change: RunChange): ChangeRows {
  const { runId, stepRun: s, attempt: a, endWaitingStep: end } = change
  const json = serializer(runId)
  return {
    runId,
    epoch: change.epoch,
    progress: progressRow(change.progress, json),
    stepRun: s && [
      runId,
      s.seq,
      s.stepId,
      s.status,
      s.task?.name ?? null,
      s.task?.version ?? null,
      json(s.input, 'the input of its step run'),
      json(s.output, 'the output of its step run'),
      json(s.error, 'the error of its step run'),
      s.startedAt,
      opt(s.finishedAt),
      json(s.callback, 'the callback of its step run'),
      opt(s.compensates),
    ],
    attempt: a && [
      runId,
      a.stepSeq,
      a.number,
      a.status,
      json(a.input, 'the input of its attempt'),
      json(a.output, 'the output of its attempt'),
      json(a.error, 'the error of its attempt'),
      a.log,
      a.startedAt,
      a.finishedAt,
    ],
    events: eventRows(
      runId,
      change.progress.eventSeq - change.events.length + 1,
      change.events,
      json,
    ),
    endWait: end && [end.status, end.at, runId, end.seq],
    slot: change.slot,
    children: (change.children ?? []).map(newRunRows),
    requests: (change.requests ?? []).map(requestRow),
  }
}

/** A child's item or branch as one text column (`#3` for item 3, the branch's name, or empty). */
export const parentKey = (parent: { index?: number; branch?: string } | undefined): string =>
  parent?.index !== undefined ? `#${parent.index}` : (parent?.branch ?? '')

/** The parent columns of a new run: a root run is its own root, at depth 0. */
function parentRow(run: NewRun): SqlValue[] {
  const p = run.parent
  if (!p) return [null, null, null, null, '', run.id, 0, null]
  return [p.run, p.step, p.seq, p.attempt, parentKey(p), p.root, p.depth, run.inline ?? null]
}

/** The rows of a new run; throws UnstorableValueError when its input or an event cannot be written. */
export function newRunRows(run: NewRun): NewRunRows {
  const p = run.progress
  const json = serializer(run.id)
  return {
    id: run.id,
    flowName: run.flow.name,
    idempotencyKey: run.idempotencyKey,
    createdAt: run.createdAt,
    run: [
      run.id,
      run.flow.name,
      run.flow.version,
      run.process,
      p.status,
      json(run.input, 'its input') ?? 'null',
      p.currentStep ?? null,
      p.attempt,
      p.stepSeq,
      p.stepRuns,
      opt(p.previousStep),
      opt(p.wakeAt),
      opt(p.deadline),
      p.eventSeq,
      opt(run.idempotencyKey),
      run.createdAt,
      opt(p.startedAt),
      run.createdAt,
      run.owner?.node ?? null,
      run.owner ? 1 : 0,
      run.owner?.leaseMs ?? null,
      ...parentRow(run),
      opt(run.traceparent),
    ],
    events: eventRows(run.id, 1, run.events, json),
    slot: run.slot,
  }
}
