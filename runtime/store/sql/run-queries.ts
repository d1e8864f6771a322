import type { EventRecord, RunError, RunRecord, StepRunRecord } from '../records.js'
import type { ActiveRun, Page, RunChangeFilter, RunFilter } from '../store.js'
import { processFilter } from './process-filter.js'
import {
  attemptFromRow,
  eventFromRow,
  parseJson,
  progressFromRow,
  runFromRow,
  stepRunFromRow,
} from './row-mapping.js'
import type { SqlClient, SqlValue } from './sql-client.js'
import { decodeTimeCursor, encodeTimeCursor } from './time-cursor.js'

export async function getRun(client: SqlClient, id: string): Promise<RunRecord | undefined> {
  const result = await client.execute({ sql: 'SELECT * FROM runs WHERE id = ?', args: [id] })
  const row = result.rows[0]
  return row ? runFromRow(row) : undefined
}

/**
 * The conditions of a run filter (without its cursor) and their arguments.
 * The filter columns come from this fixed list; values are always bound.
 */
export function runFilterClauses(filter: RunChangeFilter): { where: string[]; args: SqlValue[] } {
  const where: string[] = []
  const args: SqlValue[] = []
  const add = (clause: string, value: SqlValue) => {
    where.push(clause)
    args.push(value)
  }
  if (filter.flow !== undefined) add('flow_name = ?', filter.flow)
  if (filter.parent !== undefined) add('parent_run = ?', filter.parent)
  if (filter.process !== undefined) {
    const { sql, args: processArgs } = processFilter('process', filter.process)
    where.push(sql)
    args.push(...processArgs)
  }
  if (filter.status !== undefined) add('status = ?', filter.status)
  if (filter.from !== undefined) add('created_at >= ?', filter.from)
  if (filter.to !== undefined) add('created_at <= ?', filter.to)
  return { where, args }
}

/** Newest first. */
export async function listRuns(client: SqlClient, filter: RunFilter): Promise<Page<RunRecord>> {
  const { where, args } = runFilterClauses(filter)
  if (filter.cursor !== undefined) {
    const [createdAt, id] = decodeTimeCursor(filter.cursor)
    where.push('(created_at < ? OR (created_at = ? AND id < ?))')
    args.push(createdAt, createdAt, id)
  }
  const limit = Math.min(Math.max(filter.limit ?? 50, 1), 500)
  const sql = `SELECT * FROM runs${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at DESC, id DESC LIMIT ?`
  const result = await client.execute({ sql, args: [...args, limit + 1] })
  const items = result.rows.slice(0, limit).map(runFromRow)
  const last = items.at(-1)
  return {
    items,
    nextCursor:
      result.rows.length > limit && last ? encodeTimeCursor(last.createdAt, last.id) : undefined,
  }
}

export async function getStepRuns(client: SqlClient, runId: string): Promise<StepRunRecord[]> {
  const [steps, attempts] = await client.read([
    { sql: 'SELECT * FROM step_runs WHERE run_id = ? ORDER BY seq', args: [runId] },
    { sql: 'SELECT * FROM attempts WHERE run_id = ? ORDER BY step_seq, number', args: [runId] },
  ])
  const bySeq = new Map<number, ReturnType<typeof attemptFromRow>[]>()
  for (const row of attempts?.rows ?? []) {
    const seq = Number(row.step_seq)
    bySeq.set(seq, [...(bySeq.get(seq) ?? []), attemptFromRow(row)])
  }
  return (steps?.rows ?? []).map((row) => stepRunFromRow(row, bySeq.get(Number(row.seq)) ?? []))
}

export async function listEvents(
  client: SqlClient,
  runId: string,
  after = 0,
  limit = 500,
): Promise<Page<EventRecord>> {
  const capped = Math.min(Math.max(limit, 1), 1000)
  const result = await client.execute({
    sql: 'SELECT * FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?',
    args: [runId, after, capped + 1],
  })
  const items = result.rows.slice(0, capped).map(eventFromRow)
  const last = items.at(-1)
  return { items, nextCursor: result.rows.length > capped && last ? String(last.seq) : undefined }
}

/** The runs that are not finished (a node drives them, or will). */
export const active = "status IN ('queued', 'running', 'waiting', 'paused')"

/** Runs with their progress and each step's latest output or error, as the engine resumes them. */
export async function loadRuns(
  client: SqlClient,
  where: string,
  args: SqlValue[],
): Promise<ActiveRun[]> {
  const runs = await client.execute({ sql: `SELECT * FROM runs WHERE ${where}`, args })
  if (runs.rows.length === 0) return []
  const values = await client.execute({
    sql: `SELECT s.run_id, s.step_id, s.output, s.error FROM step_runs s
      JOIN runs r ON r.id = s.run_id AND r.${where}
      WHERE s.status IN ('succeeded', 'failed', 'timed_out')
        AND s.seq = (SELECT MAX(seq) FROM step_runs t WHERE t.run_id = s.run_id AND t.step_id = s.step_id AND t.status IN ('succeeded', 'failed', 'timed_out'))`,
    args,
  })
  const byRun = new Map<string, ActiveRun['values']>()
  for (const row of values.rows) {
    const runId = String(row.run_id)
    const output = parseJson(row.output)
    const error = parseJson<RunError>(row.error)
    byRun.set(runId, {
      ...byRun.get(runId),
      [String(row.step_id)]: {
        ...(output === undefined ? {} : { output }),
        ...(error === undefined ? {} : { error }),
      },
    })
  }
  return runs.rows.map((row) => ({
    run: runFromRow(row),
    progress: progressFromRow(row),
    values: byRun.get(String(row.id)) ?? {},
  }))
}

export function loadActiveRuns(client: SqlClient): Promise<ActiveRun[]> {
  return loadRuns(client, active, [])
}

export async function loadRun(client: SqlClient, id: string): Promise<ActiveRun | undefined> {
  return (await loadRuns(client, 'id = ?', [id]))[0]
}

export async function childRuns(
  client: SqlClient,
  parent: string,
  stepSeq: number,
  attempt: number,
): Promise<RunRecord[]> {
  const result = await client.execute({
    sql: 'SELECT * FROM runs WHERE parent_run = ? AND parent_seq = CAST(? AS BIGINT) AND parent_attempt = CAST(? AS BIGINT)',
    args: [parent, stepSeq, attempt],
  })
  return result.rows.map(runFromRow)
}
