/**
 * SQL for run changes. A group of changes becomes a few multi-row statements
 * (runs updated from a VALUES list, step runs upserted, attempts and events
 * inserted), so a transaction's cost grows with rows, not with statements.
 */
import type { InStatement, InValue } from '@libsql/client'
import type { JsonValue } from '../../../types/index.js'
import type { NewEvent, NewRun, RunChange, RunProgress } from '../store.js'

const json = (value: JsonValue | object | undefined): string | null =>
  value === undefined ? null : JSON.stringify(value)
const opt = <T extends InValue>(value: T | undefined): T | null =>
  value === undefined ? null : value

/** Rows per statement: keeps each statement far below SQLite's limit on bound parameters. */
const chunkRows = 200

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += chunkRows) out.push(items.slice(i, i + chunkRows))
  return out
}

function multiRow(prefix: string, suffix: string, width: number, rows: InValue[][]): InStatement[] {
  return chunks(rows).map((chunk) => ({
    sql: `${prefix} VALUES ${chunk.map(() => `(${Array(width).fill('?').join(', ')})`).join(', ')}${suffix}`,
    args: chunk.flat(),
  }))
}

function progressRow(runId: string, p: RunProgress, now: number): InValue[] {
  return [
    runId,
    p.status,
    p.currentStep ?? null,
    p.attempt,
    p.stepSeq,
    p.stepRuns,
    opt(p.previousStep),
    opt(p.wakeAt),
    opt(p.deadline),
    p.eventSeq,
    json(p.output),
    json(p.error),
    opt(p.startedAt),
    opt(p.finishedAt),
    now,
    json(p.waiting),
  ]
}

function eventRows(runId: string, firstSeq: number, events: readonly NewEvent[]): InValue[][] {
  return events.map((e, i) => [
    runId,
    firstSeq + i,
    e.type,
    e.at,
    e.stepId ?? null,
    JSON.stringify(e.data),
  ])
}

const insertEvents = (rows: InValue[][]) =>
  multiRow('INSERT INTO events (run_id, seq, type, at, step_id, data)', '', 6, rows)

export function changeStatements(changes: readonly RunChange[], now: number): InStatement[] {
  const lastByRun = new Map<string, RunChange>()
  for (const c of changes) lastByRun.set(c.runId, c)
  const progress = [...lastByRun.values()].map((c) => progressRow(c.runId, c.progress, now))
  const updateRuns = multiRow(
    'UPDATE runs SET status = v.column2, current_step = v.column3, attempt = v.column4, step_seq = v.column5, step_runs = v.column6, previous_step = v.column7, wake_at = v.column8, deadline = v.column9, event_seq = v.column10, output = v.column11, error = v.column12, started_at = v.column13, finished_at = v.column14, updated_at = v.column15, waiting = v.column16 FROM (',
    ') AS v WHERE runs.id = v.column1',
    16,
    progress,
  )

  const stepRuns = changes.flatMap((c) => {
    const s = c.stepRun
    if (!s) return []
    return [
      [
        c.runId,
        s.seq,
        s.stepId,
        s.status,
        s.task?.name ?? null,
        s.task?.version ?? null,
        json(s.input),
        json(s.output),
        json(s.error),
        s.startedAt,
        opt(s.finishedAt),
        json(s.callback),
      ],
    ]
  })
  const upsertStepRuns = multiRow(
    'INSERT INTO step_runs (run_id, seq, step_id, status, task_name, task_version, input, output, error, started_at, finished_at, callback)',
    ' ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, input = COALESCE(excluded.input, step_runs.input), output = excluded.output, error = excluded.error, finished_at = excluded.finished_at, callback = COALESCE(excluded.callback, step_runs.callback)',
    12,
    stepRuns,
  )

  const attempts = changes.flatMap((c) => {
    const a = c.attempt
    if (!a) return []
    return [
      [
        c.runId,
        a.stepSeq,
        a.number,
        a.status,
        json(a.input),
        json(a.output),
        json(a.error),
        a.log,
        a.startedAt,
        a.finishedAt,
      ],
    ]
  })
  const insertAttempts = multiRow(
    'INSERT INTO attempts (run_id, step_seq, number, status, input, output, error, log, started_at, finished_at)',
    '',
    10,
    attempts,
  )

  const events = changes.flatMap((c) =>
    eventRows(c.runId, c.progress.eventSeq - c.events.length + 1, c.events),
  )
  const endWaits = changes.flatMap((c): InStatement[] => {
    const end = c.endWaitingStep
    if (!end) return []
    return [
      {
        sql: "UPDATE step_runs SET status = ?, finished_at = ? WHERE run_id = ? AND seq = ? AND status = 'waiting'",
        args: [end.status, end.at, c.runId, end.seq],
      },
    ]
  })
  return [...upsertStepRuns, ...endWaits, ...insertAttempts, ...insertEvents(events), ...updateRuns]
}

/** Inserts a run (and its first events), unless its idempotency key already names another run. */
export function newRunStatements(run: NewRun): InStatement[] {
  const p = run.progress
  const guard =
    run.idempotencyKey === undefined
      ? ''
      : ' WHERE EXISTS (SELECT 1 FROM idempotency_keys WHERE flow_name = ? AND key = ? AND run_id = ?)'
  const guardArgs =
    run.idempotencyKey === undefined ? [] : [run.flow.name, run.idempotencyKey, run.id]
  const statements: InStatement[] = []
  if (run.idempotencyKey !== undefined) {
    statements.push({
      sql: 'INSERT INTO idempotency_keys (flow_name, key, run_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      args: [run.flow.name, run.idempotencyKey, run.id, run.createdAt],
    })
  }
  statements.push({
    sql: `INSERT INTO runs (id, flow_name, flow_version, process, status, input, output, error, current_step, attempt, step_seq, step_runs, previous_step, wake_at, deadline, event_seq, idempotency_key, created_at, started_at, finished_at, updated_at)
      SELECT ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?${guard}`,
    args: [
      run.id,
      run.flow.name,
      run.flow.version,
      run.process,
      p.status,
      JSON.stringify(run.input),
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
      ...guardArgs,
    ],
  })
  for (const s of insertEvents(eventRows(run.id, 1, run.events))) {
    const { sql, args } = s as { sql: string; args: InValue[] }
    statements.push(
      guard === ''
        ? s
        : {
            sql: `${sql.replace(' VALUES ', ' SELECT * FROM (VALUES ')})${guard}`,
            args: [...args, ...guardArgs],
          },
    )
  }
  return statements
}

const runColumns =
  'id, flow_name, flow_version, process, status, input, current_step, attempt, step_seq, step_runs, previous_step, wake_at, deadline, event_seq, created_at, started_at, updated_at'

/** Inserts runs that carry no idempotency key (and their first events) as multi-row statements. */
export function newRunsStatements(runs: readonly NewRun[]): InStatement[] {
  const rows = runs.map((run) => {
    const p = run.progress
    return [
      run.id,
      run.flow.name,
      run.flow.version,
      run.process,
      p.status,
      JSON.stringify(run.input),
      p.currentStep ?? null,
      p.attempt,
      p.stepSeq,
      p.stepRuns,
      opt(p.previousStep),
      opt(p.wakeAt),
      opt(p.deadline),
      p.eventSeq,
      run.createdAt,
      opt(p.startedAt),
      run.createdAt,
    ]
  })
  const events = runs.flatMap((run) => eventRows(run.id, 1, run.events))
  return [...multiRow(`INSERT INTO runs (${runColumns})`, '', 17, rows), ...insertEvents(events)]
}
