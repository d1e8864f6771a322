/**
 * Runs by when they last changed: the query a live stream of runs polls,
 * keyset-paged on (updated_at, id) over the `runs_by_change` index
 * (migration 15), with the filters of a run list.
 */
import type { ChangedRun, RunChangeFilter, RunChangePosition } from '../store.js'
import { runFromRow } from './row-mapping.js'
import { runFilterClauses } from './run-queries.js'
import type { SqlClient } from './sql-client.js'

/** Runs whose last change comes after `after` in (updated_at, id) order, oldest first. */
export async function runsChangedSince(
  client: SqlClient,
  filter: RunChangeFilter,
  after: RunChangePosition | undefined,
  limit: number,
): Promise<ChangedRun[]> {
  const { where, args } = runFilterClauses(filter)
  if (after !== undefined) {
    // The first condition bounds the index range; the second leaves out the rows at `after` and before it.
    where.push('updated_at >= ?', '(updated_at > ? OR id > ?)')
    args.push(after.updatedAt, after.updatedAt, after.id)
  }
  const capped = Math.min(Math.max(Math.floor(limit), 1), 1000)
  const result = await client.execute({
    sql: `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY updated_at, id LIMIT ?`,
    args: [...args, capped],
  })
  return result.rows.map((row) => ({
    run: runFromRow(row),
    updatedAt: Number(row.updated_at),
    eventSeq: Number(row.event_seq),
  }))
}
