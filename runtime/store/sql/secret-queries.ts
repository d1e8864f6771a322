/** SQL for secrets: sealed values by name, their check value, and the task versions that use one. */
import type { SecretRecord } from '../records.js'
import type { SqlClient } from './sql-client.js'

/** A BLOB as the drivers return it (an ArrayBuffer from libSQL, a Buffer from PostgreSQL). */
export const bytes = (value: unknown): Uint8Array =>
  value instanceof Uint8Array
    ? new Uint8Array(value.buffer, value.byteOffset, value.byteLength)
    : new Uint8Array(value as ArrayBufferLike)

export async function putSecret(
  client: SqlClient,
  name: string,
  sealed: Uint8Array,
  at: number,
): Promise<{ created: boolean }> {
  const [, inserted] = await client.write([
    {
      sql: 'UPDATE secrets SET sealed = ?, updated_at = ? WHERE name = ?',
      args: [sealed, at, name],
    },
    {
      sql: 'INSERT INTO secrets (name, sealed, created_at, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING',
      args: [name, sealed, at, at],
    },
  ])
  return { created: (inserted?.rowsAffected ?? 0) > 0 }
}

export async function getSecret(client: SqlClient, name: string): Promise<Uint8Array | undefined> {
  const result = await client.execute({
    sql: 'SELECT sealed FROM secrets WHERE name = ?',
    args: [name],
  })
  const row = result.rows[0]
  return row ? bytes(row.sealed) : undefined
}

export async function listSecrets(client: SqlClient): Promise<SecretRecord[]> {
  const result = await client.execute(
    'SELECT name, created_at, updated_at FROM secrets ORDER BY name',
  )
  return result.rows.map((row) => ({
    name: String(row.name),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }))
}

export async function deleteSecret(client: SqlClient, name: string): Promise<boolean> {
  const [result] = await client.write([{ sql: 'DELETE FROM secrets WHERE name = ?', args: [name] }])
  return (result?.rowsAffected ?? 0) > 0
}

/** Whether a task document's `capabilities.env` names the secret. */
function namesSecret(document: string, name: string): boolean {
  const env = (JSON.parse(document) as { capabilities?: { env?: Record<string, unknown> } })
    .capabilities?.env
  return Object.values(env ?? {}).some(
    (value) =>
      typeof value === 'object' && value !== null && 'secret' in value && value.secret === name,
  )
}

/**
 * Every task version whose `capabilities.env` names the secret, as
 * `name@version`: the documents that mention a secret at all are read, and
 * each is looked into (JSON functions differ between the two databases).
 */
export async function tasksUsingSecret(client: SqlClient, name: string): Promise<string[]> {
  const result = await client.execute({
    sql: `SELECT name, version, document FROM tasks WHERE document LIKE '%"secret"%' ORDER BY name, version`,
  })
  return result.rows
    .filter((row) => namesSecret(String(row.document), name))
    .map((row) => `${String(row.name)}@${Number(row.version)}`)
}

export async function getSecretCheck(client: SqlClient): Promise<Uint8Array | undefined> {
  const row = (await client.execute('SELECT sealed FROM secret_check WHERE id = 1')).rows[0]
  return row ? bytes(row.sealed) : undefined
}

/** Stores the check value unless one is there; answers the one that is stored. */
export async function initSecretCheck(client: SqlClient, sealed: Uint8Array): Promise<Uint8Array> {
  await client.write([
    {
      sql: 'INSERT INTO secret_check (id, sealed) VALUES (1, ?) ON CONFLICT DO NOTHING',
      args: [sealed],
    },
  ])
  return (await getSecretCheck(client)) ?? sealed
}
