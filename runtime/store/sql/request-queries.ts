/**
 * SQL for requests to a run's owner: recorded by the node that received them,
 * taken by the node that owns the run (once), answered; the receiving node
 * collects the answer (and the row goes), or withdraws a request no owner took.
 */
import type { JsonValue } from '../../../types/index.js'
import type { RunOwner, RunRequestRecord } from '../store.js'
import type { SqlClient, SqlDialect, SqlValue } from './sql-client.js'

export async function addRunRequest(client: SqlClient, request: RunRequestRecord): Promise<void> {
  await client.write([
    {
      sql: `INSERT INTO run_requests (${requestColumns}) VALUES (?, ?, ?, ?, ?, ?)`,
      args: requestRow(request),
    },
  ])
}

/** Requests no node took yet, for runs `node` owns, oldest first. */
export async function pendingRunRequests(
  client: SqlClient,
  node: string,
  limit: number,
  now: number,
): Promise<RunRequestRecord[]> {
  const result = await client.execute({
    sql: `SELECT q.id, q.run_id, q.kind, q.body, q.created_at, q.notice FROM run_requests q JOIN runs r ON r.id = q.run_id
      WHERE (q.taken_at IS NULL OR (q.notice = 1 AND q.taken_at < ?)) AND r.owner = ? ORDER BY q.created_at, q.id LIMIT ?`,
    args: [now - noticeRetakeMs, node, limit],
  })
  return result.rows.map((row) => ({
    id: String(row.id),
    runId: String(row.run_id),
    kind: String(row.kind) as RunRequestRecord['kind'],
    body: JSON.parse(String(row.body)) as JsonValue,
    createdAt: Number(row.created_at),
    ...(Number(row.notice) === 1 ? { notice: true } : {}),
  }))
}

/**
 * A notice taken this long ago is offered again: the node that took it
 * stopped before it applied it (a notice is deleted once applied).
 */
export const noticeRetakeMs = 30_000

/** Takes a request to apply it; false when it was withdrawn or taken already. */
export async function takeRunRequest(client: SqlClient, id: string, at: number): Promise<boolean> {
  const [result] = await client.write([
    {
      sql: 'UPDATE run_requests SET taken_at = ? WHERE id = ? AND (taken_at IS NULL OR (notice = 1 AND taken_at < ?))',
      args: [at, id, at - noticeRetakeMs],
    },
  ])
  return (result?.rowsAffected ?? 0) > 0
}

export async function answerRunRequest(
  client: SqlClient,
  id: string,
  answer: JsonValue,
  at: number,
): Promise<void> {
  await client.write([
    {
      sql: 'UPDATE run_requests SET answer = ?, answered_at = ? WHERE id = ?',
      args: [JSON.stringify(answer), at, id],
    },
  ])
}

/** The answer to a request once there is one (its row goes with it). */
export async function collectRunAnswer(
  client: SqlClient,
  id: string,
): Promise<JsonValue | undefined> {
  const [result] = await client.write([
    {
      sql: 'DELETE FROM run_requests WHERE id = ? AND answered_at IS NOT NULL RETURNING answer',
      args: [id],
    },
  ])
  const row = result?.rows[0]
  return row ? (JSON.parse(String(row.answer)) as JsonValue) : undefined
}

/** Withdraws a request no node took: true when it is gone unapplied, false when an owner is applying it. */
export async function withdrawRunRequest(client: SqlClient, id: string): Promise<boolean> {
  const [result] = await client.write([
    { sql: 'DELETE FROM run_requests WHERE id = ? AND taken_at IS NULL', args: [id] },
  ])
  return (result?.rowsAffected ?? 0) > 0
}

export async function deleteRunRequest(client: SqlClient, id: string): Promise<void> {
  await client.write([{ sql: 'DELETE FROM run_requests WHERE id = ?', args: [id] }])
}

/** The row values of requests recorded with a run change, in the order of `requestColumns`. */
export const requestColumns = 'id, run_id, kind, body, created_at, notice'

export const requestRow = (request: RunRequestRecord): SqlValue[] => [
  request.id,
  request.runId,
  request.kind,
  JSON.stringify(request.body),
  request.createdAt,
  request.notice ? 1 : 0,
]

/** Who drives a run: its status, its owner, and whether the owner's lease holds now (the database's clock). */
export async function runOwner(
  client: SqlClient,
  dialect: SqlDialect,
  id: string,
): Promise<RunOwner | undefined> {
  const result = await client.execute({
    sql: `SELECT status, owner, epoch, event_seq, CASE WHEN lease_until > ${dialect.nowMs} THEN 1 ELSE 0 END AS live FROM runs WHERE id = ?`,
    args: [id],
  })
  const row = result.rows[0]
  if (!row) return undefined
  return {
    status: String(row.status) as RunOwner['status'],
    owner: row.owner === null || row.owner === undefined ? undefined : String(row.owner),
    live: Number(row.live) === 1,
    epoch: Number(row.epoch),
    eventSeq: Number(row.event_seq),
  }
}
