/**
 * SQL for run changes. A group of changes becomes a few multi-row statements
 * (runs updated from a VALUES list, step runs upserted, attempts and events
 * inserted), so a transaction's cost grows with rows, not with statements.
 * The statements are built from rows serialized beforehand (run-rows.ts):
 * nothing here can fail on a value.
 */
import type { InStatement, InValue } from '@libsql/client'
import { type ChangeRows, type NewRunRows, newRunColumns, progressColumns } from './run-rows.js'

/** Rows per statement: keeps each statement far below SQLite's limit on bound parameters. */
const chunkRows = 200

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  for (let i = 0; i < items.length; i += chunkRows) out.push(items.slice(i, i + chunkRows))
  return out
}

function multiRow(
  prefix: string,
  suffix: string,
  width: number,
  rows: InValue[][],
  before: InValue[] = [],
): InStatement[] {
  const row = `(${Array(width).fill('?').join(', ')})`
  return chunks(rows).map((chunk) => ({
    sql: `${prefix} VALUES ${chunk.map(() => row).join(', ')}${suffix}`,
    args: [...before, ...chunk.flat()],
  }))
}

const insertEvents = (rows: InValue[][]) =>
  multiRow('INSERT INTO events (run_id, seq, type, at, step_id, data)', '', 6, rows)

/** `status = v.column2, …, updated_at = ?`: the VALUES list carries the run id first. */
const setProgress = `${progressColumns.map((c, i) => `${c} = v.column${i + 2}`).join(', ')}, updated_at = ?`

/** The statements of a group of run changes; the last change of a run sets its row. */
export function changeStatements(changes: readonly ChangeRows[], now: number): InStatement[] {
  const lastByRun = new Map<string, ChangeRows>()
  for (const c of changes) lastByRun.set(c.runId, c)
  const progress = [...lastByRun.values()].map((c) => [c.runId, ...c.progress])
  const updateRuns = multiRow(
    `UPDATE runs SET ${setProgress} FROM (`,
    ') AS v WHERE runs.id = v.column1',
    progressColumns.length + 1,
    progress,
    [now],
  )
  const upsertStepRuns = multiRow(
    'INSERT INTO step_runs (run_id, seq, step_id, status, task_name, task_version, input, output, error, started_at, finished_at, callback)',
    ' ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, input = COALESCE(excluded.input, step_runs.input), output = excluded.output, error = excluded.error, finished_at = excluded.finished_at, callback = COALESCE(excluded.callback, step_runs.callback)',
    12,
    changes.flatMap((c) => (c.stepRun ? [c.stepRun] : [])),
  )
  const insertAttempts = multiRow(
    'INSERT INTO attempts (run_id, step_seq, number, status, input, output, error, log, started_at, finished_at)',
    '',
    10,
    changes.flatMap((c) => (c.attempt ? [c.attempt] : [])),
  )
  const events = changes.flatMap((c) => c.events)
  const endWaits = changes.flatMap((c): InStatement[] =>
    c.endWait
      ? [
          {
            sql: "UPDATE step_runs SET status = ?, finished_at = ? WHERE run_id = ? AND seq = ? AND status = 'waiting'",
            args: c.endWait,
          },
        ]
      : [],
  )
  return [...upsertStepRuns, ...endWaits, ...insertAttempts, ...insertEvents(events), ...updateRuns]
}

/** Inserts a run (and its first events), unless its idempotency key already names another run. */
export function newRunStatements(run: NewRunRows): InStatement[] {
  const key = run.idempotencyKey
  if (key === undefined) return newRunsStatements([run])
  const guard =
    ' WHERE EXISTS (SELECT 1 FROM idempotency_keys WHERE flow_name = ? AND key = ? AND run_id = ?)'
  const guardArgs = [run.flowName, key, run.id]
  const statements: InStatement[] = [
    {
      sql: 'INSERT INTO idempotency_keys (flow_name, key, run_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      args: [run.flowName, key, run.id, run.createdAt],
    },
    {
      sql: `INSERT INTO runs (${newRunColumns}) SELECT ${run.run.map(() => '?').join(', ')}${guard}`,
      args: [...run.run, ...guardArgs],
    },
  ]
  for (const s of insertEvents(run.events)) {
    const { sql, args } = s as { sql: string; args: InValue[] }
    statements.push({
      sql: `${sql.replace(' VALUES ', ' SELECT * FROM (VALUES ')})${guard}`,
      args: [...args, ...guardArgs],
    })
  }
  return statements
}

/** Inserts runs that carry no idempotency key (and their first events) as multi-row statements. */
export function newRunsStatements(runs: readonly NewRunRows[]): InStatement[] {
  return [
    ...multiRow(
      `INSERT INTO runs (${newRunColumns})`,
      '',
      18,
      runs.map((r) => r.run),
    ),
    ...insertEvents(runs.flatMap((r) => r.events)),
  ]
}
