/**
 * SQL for the catalog: components stored once by hash, and task and flow
 * versions, each allocated as one more than the name's highest in the same
 * insert (under the dialect's lock, so concurrent publishes never share one).
 */
import type { FlowDocument, TaskDocument } from '../../../types/index.js'
import type { FunctionBinding } from '../../components/signature.js'
import { WeirError } from '../../errors.js'
import type { FlowRecord, TaskRecord } from '../records.js'
import type { FlowComputed } from '../store.js'
import { processFilter } from './process-filter.js'
import { flowFromRow, taskFromRow } from './row-mapping.js'
import { bytes } from './secret-queries.js'
import type { SqlClient, SqlDialect, SqlRow } from './sql-client.js'

export async function putComponent(
  client: SqlClient,
  sha256: string,
  content: Uint8Array,
  now: number,
): Promise<void> {
  await client.write([
    {
      sql: 'INSERT INTO components (sha256, bytes, size, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      args: [sha256, content, content.length, now],
    },
  ])
}

export async function getComponent(
  client: SqlClient,
  sha256: string,
): Promise<Uint8Array | undefined> {
  const result = await client.execute({
    sql: 'SELECT bytes FROM components WHERE sha256 = ?',
    args: [sha256],
  })
  const row = result.rows[0]
  return row ? bytes(row.bytes) : undefined
}

/** Inserts the next version of `name` into `table` (the document without its version) and reads it back. */
async function publishVersion(
  client: SqlClient,
  dialect: SqlDialect,
  table: 'tasks' | 'flows',
  name: string,
  columns: readonly string[],
  values: readonly (string | number | null)[],
): Promise<SqlRow> {
  const casts = columns
    .map((c) => (c === 'created_at' || c === 'nesting' ? 'CAST(? AS BIGINT)' : '?'))
    .join(', ')
  const results = await client.write([
    ...dialect.lockKey(`${table}:${name}`),
    {
      sql: `INSERT INTO ${table} (name, version, ${columns.join(', ')})
        SELECT ?, COALESCE(MAX(version), 0) + 1, ${casts} FROM ${table} WHERE name = ?`,
      args: [name, ...values, name],
    },
    { sql: `SELECT * FROM ${table} WHERE name = ? ORDER BY version DESC LIMIT 1`, args: [name] },
  ])
  const row = results.at(-1)?.rows[0]
  if (!row) throw new WeirError('internal', `${table} ${name} was not stored`)
  return row
}

export async function publishTask(
  client: SqlClient,
  dialect: SqlDialect,
  document: TaskDocument & { component: string },
  binding: FunctionBinding,
  publishedBy: string | undefined,
  now: number,
): Promise<TaskRecord> {
  const { version: _ignored, ...rest } = document
  const row = await publishVersion(
    client,
    dialect,
    'tasks',
    document.name,
    ['component', 'document', 'binding', 'created_at', 'published_by'],
    [
      document.component.replace(/^sha256:/, ''),
      JSON.stringify(rest),
      JSON.stringify(binding),
      now,
      publishedBy ?? null,
    ],
  )
  return taskFromRow(row)
}

export async function publishFlow(
  client: SqlClient,
  dialect: SqlDialect,
  document: FlowDocument,
  process: string,
  computed: FlowComputed | undefined,
  now: number,
): Promise<FlowRecord> {
  const { version: _ignored, ...rest } = document
  const row = await publishVersion(
    client,
    dialect,
    'flows',
    document.name,
    ['process', 'document', 'created_at', 'output_schema', 'nesting'],
    [
      process,
      JSON.stringify(rest),
      now,
      computed ? JSON.stringify(computed.outputSchema) : null,
      computed?.nesting ?? 0,
    ],
  )
  return flowFromRow(row)
}

export async function flowsWithoutOutputSchema(
  client: SqlClient,
): Promise<{ name: string; version: number }[]> {
  const result = await client.execute(
    'SELECT name, version FROM flows WHERE output_schema IS NULL ORDER BY created_at, name, version',
  )
  return result.rows.map((row) => ({ name: String(row.name), version: Number(row.version) }))
}

/** Stores what the checker computed for a version published before it stored it (a backfill). */
export async function setFlowComputed(
  client: SqlClient,
  name: string,
  version: number,
  computed: FlowComputed,
): Promise<void> {
  await client.write([
    {
      sql: 'UPDATE flows SET output_schema = ?, nesting = CAST(? AS BIGINT) WHERE name = ? AND version = CAST(? AS BIGINT)',
      args: [JSON.stringify(computed.outputSchema), computed.nesting, name, version],
    },
  ])
}

/** A version of a table's name, or its latest. */
async function getVersion(
  client: SqlClient,
  table: 'tasks' | 'flows',
  name: string,
  version: number | undefined,
): Promise<SqlRow | undefined> {
  const result =
    version === undefined
      ? await client.execute({
          sql: `SELECT * FROM ${table} WHERE name = ? ORDER BY version DESC LIMIT 1`,
          args: [name],
        })
      : await client.execute({
          sql: `SELECT * FROM ${table} WHERE name = ? AND version = ?`,
          args: [name, version],
        })
  return result.rows[0]
}

export async function getTask(
  client: SqlClient,
  name: string,
  version?: number,
): Promise<TaskRecord | undefined> {
  const row = await getVersion(client, 'tasks', name, version)
  return row ? taskFromRow(row) : undefined
}

export async function getFlow(
  client: SqlClient,
  name: string,
  version?: number,
): Promise<FlowRecord | undefined> {
  const row = await getVersion(client, 'flows', name, version)
  return row ? flowFromRow(row) : undefined
}

export async function listTasks(client: SqlClient): Promise<TaskRecord[]> {
  const result = await client.execute(
    'SELECT t.* FROM tasks t WHERE version = (SELECT MAX(version) FROM tasks u WHERE u.name = t.name) ORDER BY name',
  )
  return result.rows.map(taskFromRow)
}

const latestFlow = 'f.version = (SELECT MAX(version) FROM flows g WHERE g.name = f.name)'

/** The latest version of every flow, of a process and its sub-processes when one is named. */
export async function listFlows(client: SqlClient, process?: string): Promise<FlowRecord[]> {
  if (process === undefined) {
    const all = await client.execute(`SELECT f.* FROM flows f WHERE ${latestFlow} ORDER BY name`)
    return all.rows.map(flowFromRow)
  }
  const filter = processFilter('f.process', process)
  const result = await client.execute({
    sql: `SELECT f.* FROM flows f WHERE ${latestFlow} AND ${filter.sql} ORDER BY name`,
    args: filter.args,
  })
  return result.rows.map(flowFromRow)
}

/** Every process with how many flows (their latest versions) it holds itself. */
export async function listProcesses(
  client: SqlClient,
): Promise<{ process: string; flows: number }[]> {
  const result = await client.execute(
    `SELECT f.process, COUNT(*) AS flows FROM flows f WHERE ${latestFlow} GROUP BY f.process ORDER BY f.process`,
  )
  return result.rows.map((row) => ({ process: String(row.process), flows: Number(row.flows) }))
}
