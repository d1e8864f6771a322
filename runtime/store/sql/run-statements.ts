/**
 * SQL for run changes. A group of changes becomes a few multi-row statements
 * (runs updated from a VALUES list, step runs upserted, attempts and events
 * inserted), so a transaction's cost grows with rows, not with statements.
 * The statements are built from rows serialized beforehand (run-rows.ts):
 * nothing here can fail on a value. Values that do not go straight into a
 * column of an INSERT … VALUES are cast to the column's type, which SQLite
 * ignores and PostgreSQL needs (it reads an untyped placeholder there as text).
 */

import type { SlotGuard } from '../store.js'
import { requestColumns } from './request-queries.js'
import {
  type ChangeRows,
  type ColumnType,
  type NewRunRows,
  newRunColumns,
  progressColumns,
  progressTypes,
  runTypes,
} from './run-rows.js'
import type { SqlDialect, SqlStatement, SqlValue } from './sql-client.js'

/** Most rows per statement: keeps each statement far below SQLite's limit on bound parameters. */
const chunkRows = 128

/**
 * Rows split into chunks of a power of two rows each, largest first (13 rows:
 * 8, 4, 1), so that a statement has one of eight shapes whatever the size of
 * its group, and the driver's prepared statements are reused.
 */
/** The SQL text of each statement shape and row count, built once: a group's statements take a few of them. */
const texts = new Map<string, string>()

function shaped(shape: string, rows: number, build: () => string): string {
  const key = `${rows}\n${shape}`
  let text = texts.get(key)
  if (text === undefined) {
    text = build()
    if (texts.size < 1024) texts.set(key, text)
  }
  return text
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = []
  let at = 0
  for (let size = chunkRows; size >= 1; size /= 2)
    while (items.length - at >= size) {
      out.push(items.slice(at, at + size))
      at += size
    }
  return out
}

function multiRow(
  prefix: string,
  suffix: string,
  width: number,
  rows: SqlValue[][],
  before: SqlValue[] = [],
  row = `(${Array(width).fill('?').join(', ')})`,
): SqlStatement[] {
  return chunks(rows).map((chunk) => ({
    sql: shaped(
      `${prefix}\n${suffix}\n${row}`,
      chunk.length,
      () => `${prefix} VALUES ${chunk.map(() => row).join(', ')}${suffix}`,
    ),
    args: [...before, ...chunk.flat()],
  }))
}

const insertEvents = (rows: SqlValue[][]) =>
  multiRow('INSERT INTO events (run_id, seq, type, at, step_id, data)', '', 6, rows)

/** `CAST(? AS BIGINT)` for a typed column, a bare `?` for text, a lease's end in the database's clock. */
const typed = (dialect: SqlDialect) => (type: ColumnType) =>
  type === 'int'
    ? 'CAST(? AS BIGINT)'
    : type === 'lease'
      ? `(${dialect.nowMs} + CAST(? AS BIGINT))`
      : '?'

/** `status = v.column2, …, updated_at = ?`: the VALUES list carries the run id first. */
const setProgress = `${progressColumns
  .map((c, i) =>
    progressTypes[i] === 'int'
      ? `${c} = CAST(v.column${i + 2} AS BIGINT)`
      : `${c} = v.column${i + 2}`,
  )
  .join(', ')}, updated_at = ?`

/** The events of a run whose insert an idempotency key guards, one guarded statement each. */
const eventTypes = ['text', 'int', 'text', 'int', 'text', 'text'] as const

/**
 * The fence of a group: its first statements lock the runs whose changes carry
 * an epoch and fail the transaction unless every one of them still has it. A
 * group that fails so is written again one change at a time (group-commit.ts),
 * where the fenced change fails alone.
 */
function fenceStatements(changes: readonly ChangeRows[], dialect: SqlDialect): SqlStatement[] {
  const epochs = new Map<string, number>()
  for (const c of changes) if (c.epoch !== undefined) epochs.set(c.runId, c.epoch)
  // One statement per chunk: the runs that still have their epoch, locked, must be all of them.
  return chunks([...epochs]).map((chunk) => ({
    sql: shaped(
      `fence\n${dialect.name}`,
      chunk.length,
      () =>
        `SELECT ${dialect.failUnless(`COUNT(*) = ${chunk.length}`)} AS fence FROM (SELECT id FROM runs WHERE ${chunk
          .map(() => '(id = ? AND epoch = ?)')
          .join(' OR ')} ORDER BY id${dialect.forUpdate}) AS fenced`,
    ),
    args: chunk.flat(),
  }))
}

/** Runs that hold a slot of their flow's concurrency limit: child runs never do. */
const holding = "status IN ('running', 'waiting', 'paused') AND parent_run IS NULL"

/**
 * Fails the transaction unless a slot of the flow's limit is free, counted in
 * the store (the flow's runs that hold one, whichever node drives them), under
 * a lock on the flow's slots (PostgreSQL) or SQLite's one writer.
 */
export function slotStatements(slot: SlotGuard, dialect: SqlDialect): SqlStatement[] {
  return [
    ...dialect.lockKey(`slots:${slot.flow}`),
    {
      sql: `SELECT ${dialect.failUnless(`(SELECT COUNT(*) FROM runs WHERE flow_name = ? AND ${holding}) < ?`)} AS slot`,
      args: [slot.flow, slot.limit],
    },
  ]
}

/** The statements of a group of run changes; the last change of a run sets its row. */
export function changeStatements(
  changes: readonly ChangeRows[],
  now: number,
  dialect: SqlDialect,
): SqlStatement[] {
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
    'INSERT INTO step_runs (run_id, seq, step_id, status, task_name, task_version, input, output, error, started_at, finished_at, callback, compensates)',
    ' ON CONFLICT (run_id, seq) DO UPDATE SET status = excluded.status, input = COALESCE(excluded.input, step_runs.input), output = excluded.output, error = excluded.error, finished_at = excluded.finished_at, callback = COALESCE(excluded.callback, step_runs.callback)',
    13,
    changes.flatMap((c) => (c.stepRun ? [c.stepRun] : [])),
  )
  const insertAttempts = multiRow(
    'INSERT INTO attempts (run_id, step_seq, number, status, input, output, error, log, started_at, finished_at)',
    '',
    10,
    changes.flatMap((c) => (c.attempt ? [c.attempt] : [])),
  )
  const events = changes.flatMap((c) => c.events)
  const endWaits = changes.flatMap((c): SqlStatement[] =>
    c.endWait
      ? [
          {
            sql: "UPDATE step_runs SET status = ?, finished_at = ? WHERE run_id = ? AND seq = ? AND status = 'waiting'",
            args: c.endWait,
          },
        ]
      : [],
  )
  const slots = changes.flatMap((c) => (c.slot ? slotStatements(c.slot, dialect) : []))
  const children = newRunsStatements(
    changes.flatMap((c) => c.children),
    dialect,
  )
  const requests = multiRow(
    `INSERT INTO run_requests (${requestColumns})`,
    '',
    6,
    changes.flatMap((c) => c.requests),
  )
  return [
    ...fenceStatements(changes, dialect),
    ...slots,
    ...children,
    ...requests,
    ...upsertStepRuns,
    ...endWaits,
    ...insertAttempts,
    ...insertEvents(events),
    ...updateRuns,
  ]
}

/** Inserts a run (and its first events), unless its idempotency key already names another run. */
export function newRunStatements(run: NewRunRows, dialect: SqlDialect): SqlStatement[] {
  const key = run.idempotencyKey
  const slot = run.slot ? slotStatements(run.slot, dialect) : []
  if (key === undefined) return [...slot, ...newRunsStatements([run], dialect)]
  const guard =
    ' WHERE EXISTS (SELECT 1 FROM idempotency_keys WHERE flow_name = ? AND key = ? AND run_id = ?)'
  const guardArgs = [run.flowName, key, run.id]
  const statements: SqlStatement[] = [
    ...slot,
    {
      sql: 'INSERT INTO idempotency_keys (flow_name, key, run_id, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      args: [run.flowName, key, run.id, run.createdAt],
    },
    {
      sql: `INSERT INTO runs (${newRunColumns}) SELECT ${runTypes.map(typed(dialect)).join(', ')}${guard}`,
      args: [...run.run, ...guardArgs],
    },
  ]
  for (const event of run.events)
    statements.push({
      sql: `INSERT INTO events (run_id, seq, type, at, step_id, data) SELECT ${eventTypes.map(typed(dialect)).join(', ')}${guard}`,
      args: [...event, ...guardArgs],
    })
  return statements
}

/** Inserts runs that carry no idempotency key (and their first events) as multi-row statements. */
export function newRunsStatements(
  runs: readonly NewRunRows[],
  dialect: SqlDialect,
): SqlStatement[] {
  const row = `(${runTypes.map((t) => (t === 'lease' ? typed(dialect)(t) : '?')).join(', ')})`
  return [
    ...multiRow(
      `INSERT INTO runs (${newRunColumns})`,
      '',
      runTypes.length,
      runs.map((r) => r.run),
      [],
      row,
    ),
    ...insertEvents(runs.flatMap((r) => r.events)),
  ]
}
