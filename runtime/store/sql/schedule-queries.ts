/** SQL for schedules: saved whole, listed, claimed tick by tick with a conditional update. */

import type { JsonValue } from '../../../types/index.js'
import type { ScheduleRecord } from '../records.js'
import type { SqlClient, SqlRow } from './sql-client.js'

const num = (value: unknown) => (value === null || value === undefined ? undefined : Number(value))

function scheduleFromRow(row: SqlRow): ScheduleRecord {
  return {
    id: String(row.id),
    flow: String(row.flow_name),
    source: String(row.source) as ScheduleRecord['source'],
    trigger: num(row.trigger_index),
    cron: String(row.cron),
    timezone: String(row.timezone),
    input: JSON.parse(String(row.input)) as JsonValue,
    paused: Number(row.paused) === 1,
    nextFireAt: num(row.next_fire_at),
    lastFireAt: num(row.last_fire_at),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
}

export async function saveSchedule(client: SqlClient, s: ScheduleRecord): Promise<void> {
  await client.write([
    {
      sql: `INSERT INTO schedules (id, flow_name, source, trigger_index, cron, timezone, input, paused, next_fire_at, last_fire_at, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (id) DO UPDATE SET cron = excluded.cron, timezone = excluded.timezone, input = excluded.input,
          paused = excluded.paused, next_fire_at = excluded.next_fire_at, trigger_index = excluded.trigger_index, updated_at = excluded.updated_at`,
      args: [
        s.id,
        s.flow,
        s.source,
        s.trigger ?? null,
        s.cron,
        s.timezone,
        JSON.stringify(s.input),
        s.paused ? 1 : 0,
        s.nextFireAt ?? null,
        s.lastFireAt ?? null,
        s.createdAt,
        s.updatedAt,
      ],
    },
  ])
}

export async function getSchedule(
  client: SqlClient,
  id: string,
): Promise<ScheduleRecord | undefined> {
  const row = (await client.execute({ sql: 'SELECT * FROM schedules WHERE id = ?', args: [id] }))
    .rows[0]
  return row ? scheduleFromRow(row) : undefined
}

export async function listSchedules(client: SqlClient, flow?: string): Promise<ScheduleRecord[]> {
  const result =
    flow === undefined
      ? await client.execute('SELECT * FROM schedules ORDER BY flow_name, id')
      : await client.execute({
          sql: 'SELECT * FROM schedules WHERE flow_name = ? ORDER BY id',
          args: [flow],
        })
  return result.rows.map(scheduleFromRow)
}

export async function deleteSchedule(client: SqlClient, id: string): Promise<boolean> {
  const [result] = await client.write([{ sql: 'DELETE FROM schedules WHERE id = ?', args: [id] }])
  return (result?.rowsAffected ?? 0) > 0
}

export async function dueSchedules(
  client: SqlClient,
  now: number,
  limit: number,
): Promise<ScheduleRecord[]> {
  const result = await client.execute({
    sql: 'SELECT * FROM schedules WHERE paused = 0 AND next_fire_at <= ? ORDER BY next_fire_at, id LIMIT ?',
    args: [now, limit],
  })
  return result.rows.map(scheduleFromRow)
}

/** Moves a schedule past the tick `due`; false when another process (or an update) moved it first. */
export async function advanceSchedule(
  client: SqlClient,
  id: string,
  due: number,
  next: number | undefined,
  firedAt: number,
): Promise<boolean> {
  const [result] = await client.write([
    {
      sql: 'UPDATE schedules SET next_fire_at = ?, last_fire_at = ?, updated_at = ? WHERE id = ? AND next_fire_at = ?',
      args: [next ?? null, due, firedAt, id, due],
    },
  ])
  return (result?.rowsAffected ?? 0) > 0
}

export async function earliestFire(client: SqlClient): Promise<number | undefined> {
  const row = (
    await client.execute('SELECT MIN(next_fire_at) AS at FROM schedules WHERE paused = 0')
  ).rows[0]
  return num(row?.at)
}
