/** SQL for refused starts: the starts a trigger's guard refused, with the reason, newest first. */
import type { JsonValue } from '../../../types/index.js'
import type { RefusedStart } from '../records.js'
import type { SqlClient } from './sql-client.js'

export async function recordRefusedStart(client: SqlClient, refused: RefusedStart): Promise<void> {
  await client.write([
    {
      sql: 'INSERT INTO refused_starts (id, flow_name, flow_version, trigger, input, reason, code, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      args: [
        refused.id,
        refused.flow.name,
        refused.flow.version,
        refused.trigger,
        JSON.stringify(refused.input),
        refused.reason,
        refused.code,
        refused.createdAt,
      ],
    },
  ])
}

export async function listRefusedStarts(
  client: SqlClient,
  flow: string,
  limit = 50,
): Promise<RefusedStart[]> {
  const result = await client.execute({
    sql: 'SELECT * FROM refused_starts WHERE flow_name = ? ORDER BY created_at DESC, id DESC LIMIT ?',
    args: [flow, Math.min(Math.max(limit, 1), 500)],
  })
  return result.rows.map((row) => ({
    id: String(row.id),
    flow: { name: String(row.flow_name), version: Number(row.flow_version) },
    trigger: String(row.trigger),
    input: JSON.parse(String(row.input)) as JsonValue,
    reason: String(row.reason),
    code: String(row.code) as RefusedStart['code'],
    createdAt: Number(row.created_at),
  }))
}
