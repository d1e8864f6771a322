/**
 * SQL for the audit log (`audit_log`, migration 16): the insert of an entry,
 * the filtered list newest first with a keyset cursor on (at, id), and the
 * bounded delete retention uses. Filter columns come from a fixed list;
 * values are always bound.
 */

import type { AuditDetails, AuditEntry, AuditFilter } from '../audit-store.js'
import type { Role } from '../records.js'
import type { Page } from '../run-lists.js'
import { parseJson } from './row-mapping.js'
import type { SqlClient, SqlRow, SqlStatement, SqlValue } from './sql-client.js'
import { decodeTimeCursor, encodeTimeCursor } from './time-cursor.js'

/** Largest page of `list`, and its default. */
export const maxAuditPage = 500
const defaultAuditPage = 50

export function insertAuditStatement(entry: AuditEntry): SqlStatement {
  return {
    sql: `INSERT INTO audit_log (id, at, key_id, key_name, role, action, target, outcome, status, node, details)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    args: [
      entry.id,
      entry.at,
      entry.keyId ?? null,
      entry.keyName ?? null,
      entry.role ?? null,
      entry.action,
      entry.target ?? null,
      entry.outcome,
      entry.status,
      entry.node,
      entry.details === undefined ? null : JSON.stringify(entry.details),
    ],
  }
}

const text = (value: unknown): string | undefined =>
  value === null || value === undefined ? undefined : String(value)

export function auditFromRow(row: SqlRow): AuditEntry {
  return {
    id: String(row.id),
    at: Number(row.at),
    keyId: text(row.key_id),
    keyName: text(row.key_name),
    role: text(row.role) as Role | undefined,
    action: String(row.action),
    target: text(row.target),
    outcome: String(row.outcome),
    status: Number(row.status),
    node: String(row.node),
    details: parseJson<AuditDetails>(row.details),
  }
}

/** Newest first: by time, then id (ids of one millisecond are in the order they were made). */
export async function listAudit(client: SqlClient, filter: AuditFilter): Promise<Page<AuditEntry>> {
  const where: string[] = []
  const args: SqlValue[] = []
  const add = (clause: string, ...values: SqlValue[]) => {
    where.push(clause)
    args.push(...values)
  }
  if (filter.action !== undefined) add('action = ?', filter.action)
  if (filter.keyId !== undefined) add('key_id = ?', filter.keyId)
  if (filter.target !== undefined) add('target = ?', filter.target)
  if (filter.outcome !== undefined) add('outcome = ?', filter.outcome)
  if (filter.from !== undefined) add('at >= ?', filter.from)
  if (filter.to !== undefined) add('at <= ?', filter.to)
  if (filter.cursor !== undefined) {
    const [at, id] = decodeTimeCursor(filter.cursor)
    add('(at < ? OR (at = ? AND id < ?))', at, at, id)
  }
  const limit = Math.min(Math.max(filter.limit ?? defaultAuditPage, 1), maxAuditPage)
  const sql = `SELECT * FROM audit_log${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT ?`
  const result = await client.execute({ sql, args: [...args, limit + 1] })
  const items = result.rows.slice(0, limit).map(auditFromRow)
  const last = items.at(-1)
  return {
    items,
    nextCursor: result.rows.length > limit && last ? encodeTimeCursor(last.at, last.id) : undefined,
  }
}

/** Deletes at most `limit` of the oldest entries before `at`; answers how many went. */
export async function deleteAuditBefore(
  client: SqlClient,
  at: number,
  limit: number,
): Promise<number> {
  const [result] = await client.write([
    {
      sql: 'DELETE FROM audit_log WHERE id IN (SELECT id FROM audit_log WHERE at < ? ORDER BY at, id LIMIT ?)',
      args: [at, Math.max(Math.floor(limit), 0)],
    },
  ])
  return result?.rowsAffected ?? 0
}
