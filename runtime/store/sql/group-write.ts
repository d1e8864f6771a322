/**
 * The transaction of one group commit: the new runs and run changes that
 * runs submitted close together, already serialized into rows, written as a
 * few multi-row statements; each new run comes back as it was stored (the
 * run an idempotency key names, when the key was taken).
 */
import type { RunRecord } from '../records.js'
import type { NewRun } from '../store.js'
import { runFromRow } from './row-mapping.js'
import type { ChangeRows, NewRunRows } from './run-rows.js'
import { changeStatements, newRunStatements, newRunsStatements } from './run-statements.js'
import type { SqlClient, SqlDialect, SqlStatement } from './sql-client.js'

/** What a group holds: run changes and new runs, serialized when submitted. */
export type GroupWork =
  | { readonly change: ChangeRows }
  | { readonly create: NewRun; readonly rows: NewRunRows }

/** The record of a run just created (what the row holds without reading it back). */
function newRunRecord(run: NewRun): RunRecord {
  return {
    id: run.id,
    flow: run.flow,
    process: run.process,
    status: run.progress.status,
    input: run.input,
    output: undefined,
    error: undefined,
    createdAt: run.createdAt,
    startedAt: run.progress.startedAt,
    finishedAt: undefined,
    currentStep: run.progress.currentStep,
    waiting: undefined,
    idempotencyKey: run.idempotencyKey,
    ...(run.parent
      ? {
          parent: {
            run: run.parent.run,
            step: run.parent.step,
            ...(run.parent.index === undefined ? {} : { index: run.parent.index }),
            ...(run.parent.branch === undefined ? {} : { branch: run.parent.branch }),
          },
          root: run.parent.root,
          depth: run.parent.depth,
          ...(run.inline === undefined ? {} : { inline: run.inline }),
        }
      : {}),
  }
}

/** One transaction for a group: new runs first (in order), then run changes; returns each new run as stored. */
export async function writeGroup(
  client: SqlClient,
  dialect: SqlDialect,
  work: readonly GroupWork[],
  now: number,
): Promise<(RunRecord | undefined)[]> {
  // Runs with an idempotency key or a slot guard are written one by one, in order, after the plain ones.
  const alone = (rows: NewRunRows) => rows.idempotencyKey !== undefined || rows.slot !== undefined
  const plain = work.flatMap((item) => ('create' in item && !alone(item.rows) ? [item.rows] : []))
  const statements: SqlStatement[] = newRunsStatements(plain, dialect)
  const reads: (number | undefined)[] = []
  const changes: ChangeRows[] = []
  for (const item of work) {
    if ('change' in item) {
      changes.push(item.change)
      reads.push(undefined)
      continue
    }
    const key = item.rows.idempotencyKey
    if (!alone(item.rows)) {
      reads.push(undefined)
      continue
    }
    statements.push(...newRunStatements(item.rows, dialect))
    if (key === undefined) {
      reads.push(undefined)
      continue
    }
    reads.push(statements.length)
    statements.push({
      sql: 'SELECT r.* FROM idempotency_keys k JOIN runs r ON r.id = k.run_id WHERE k.flow_name = ? AND k.key = ?',
      args: [item.rows.flowName, key],
    })
  }
  statements.push(...changeStatements(changes, now, dialect))
  const results = await client.write(statements)
  return work.map((item, i) => {
    if ('change' in item) return undefined
    const read = reads[i]
    if (read === undefined) return newRunRecord(item.create)
    const row = results[read]?.rows[0]
    return row ? runFromRow(row) : undefined
  })
}
