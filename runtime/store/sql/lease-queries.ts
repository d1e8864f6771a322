/**
 * SQL for run ownership: nodes and their heartbeats, and leases on active
 * runs in the database's clock. A claim takes runs no node owns or whose
 * lease expired, moving each one's epoch on (PostgreSQL skips rows another
 * claimer has locked; SQLite's one writer claims alone); renewals extend what
 * a node holds; a release lets it all go at once.
 */
import type { ClaimedRun, NodeRecord } from '../store.js'
import { active, loadRuns } from './run-queries.js'
import type { SqlClient, SqlDialect } from './sql-client.js'

export async function databaseNow(client: SqlClient, dialect: SqlDialect): Promise<number> {
  const result = await client.execute(`SELECT ${dialect.nowMs} AS now`)
  return Number(result.rows[0]?.now)
}

export async function registerNode(
  client: SqlClient,
  dialect: SqlDialect,
  node: { id: string; host: string; pid: number },
): Promise<void> {
  await client.write([
    {
      sql: `INSERT INTO nodes (id, host, pid, started_at, heartbeat_at, stopped_at)
        VALUES (?, ?, ?, ${dialect.nowMs}, ${dialect.nowMs}, NULL)
        ON CONFLICT (id) DO UPDATE SET host = excluded.host, pid = excluded.pid,
          started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at, stopped_at = NULL`,
      args: [node.id, node.host, node.pid],
    },
  ])
}

export async function renewLeases(
  client: SqlClient,
  dialect: SqlDialect,
  node: string,
  leaseMs: number,
): Promise<number> {
  const [, runs] = await client.write([
    { sql: `UPDATE nodes SET heartbeat_at = ${dialect.nowMs} WHERE id = ?`, args: [node] },
    {
      sql: `UPDATE runs SET lease_until = ${dialect.nowMs} + CAST(? AS BIGINT) WHERE owner = ? AND ${active}`,
      args: [leaseMs, node],
    },
  ])
  return runs?.rowsAffected ?? 0
}

/** The claimed runs, loaded as recovery reads them, each with its new epoch. */
async function loadClaimed(
  client: SqlClient,
  claimed: readonly { id: string; epoch: number }[],
): Promise<ClaimedRun[]> {
  if (claimed.length === 0) return []
  const epochs = new Map(claimed.map((c) => [c.id, c.epoch]))
  const loaded = await loadRuns(
    client,
    `id IN (${claimed.map(() => '?').join(', ')})`,
    claimed.map((c) => c.id),
  )
  return loaded
    .map((run) => ({ ...run, epoch: epochs.get(run.run.id) ?? 0 }))
    .sort((a, b) => a.run.createdAt - b.run.createdAt || (a.run.id < b.run.id ? -1 : 1))
}

const returned = (rows: readonly Readonly<Record<string, unknown>>[]) =>
  rows.map((row) => ({ id: String(row.id), epoch: Number(row.epoch) }))

export async function claimRuns(
  client: SqlClient,
  dialect: SqlDialect,
  node: string,
  leaseMs: number,
  limit: number,
  own: boolean,
): Promise<ClaimedRun[]> {
  const free = `owner IS NULL OR lease_until IS NULL OR lease_until < ${dialect.nowMs}${own ? ' OR owner = ?' : ''}`
  const [result] = await client.write([
    {
      sql: `UPDATE runs SET owner = ?, epoch = epoch + 1, lease_until = ${dialect.nowMs} + CAST(? AS BIGINT)
        WHERE id IN (SELECT id FROM runs WHERE ${active} AND (${free}) ORDER BY created_at, id LIMIT ?${dialect.skipLocked})
        RETURNING id, epoch`,
      args: [node, leaseMs, ...(own ? [node] : []), limit],
    },
  ])
  return loadClaimed(client, returned(result?.rows ?? []))
}

export async function ownedRuns(client: SqlClient, node: string): Promise<string[]> {
  const result = await client.execute({
    sql: `SELECT id FROM runs WHERE owner = ? AND ${active} ORDER BY created_at, id`,
    args: [node],
  })
  return result.rows.map((row) => String(row.id))
}

export async function claimRun(
  client: SqlClient,
  dialect: SqlDialect,
  node: string,
  id: string,
  leaseMs: number,
): Promise<ClaimedRun | undefined> {
  const [result] = await client.write([
    {
      sql: `UPDATE runs SET owner = ?, epoch = epoch + 1, lease_until = ${dialect.nowMs} + CAST(? AS BIGINT)
        WHERE id = ? AND (owner IS NULL OR owner = ? OR lease_until IS NULL OR lease_until < ${dialect.nowMs})
        RETURNING id, epoch`,
      args: [node, leaseMs, id, node],
    },
  ])
  return (await loadClaimed(client, returned(result?.rows ?? [])))[0]
}

export async function releaseRuns(
  client: SqlClient,
  dialect: SqlDialect,
  node: string,
): Promise<void> {
  await client.write([
    { sql: 'UPDATE runs SET owner = NULL, lease_until = NULL WHERE owner = ?', args: [node] },
    { sql: `UPDATE nodes SET stopped_at = ${dialect.nowMs} WHERE id = ?`, args: [node] },
  ])
}

export async function listNodes(
  client: SqlClient,
  dialect: SqlDialect,
  withinMs: number,
): Promise<NodeRecord[]> {
  const result = await client.execute({
    sql: `SELECT n.id, n.host, n.pid, n.started_at, n.heartbeat_at,
        (SELECT COUNT(*) FROM runs r WHERE r.owner = n.id AND r.${active}) AS runs
      FROM nodes n WHERE n.stopped_at IS NULL AND n.heartbeat_at >= ${dialect.nowMs} - CAST(? AS BIGINT)
      ORDER BY n.id`,
    args: [withinMs],
  })
  return result.rows.map((row) => ({
    id: String(row.id),
    host: String(row.host),
    pid: Number(row.pid),
    startedAt: Number(row.started_at),
    heartbeatAt: Number(row.heartbeat_at),
    runs: Number(row.runs),
  }))
}

/** The epochs runs have now (absent: no such run). */
export async function epochsOf(
  client: SqlClient,
  ids: readonly string[],
): Promise<Map<string, number>> {
  const result = await client.execute({
    sql: `SELECT id, epoch FROM runs WHERE id IN (${ids.map(() => '?').join(', ')})`,
    args: ids,
  })
  return new Map(result.rows.map((row) => [String(row.id), Number(row.epoch)]))
}
