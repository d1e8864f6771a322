/** SQL for secrets: sealed values by name, their check value, and the task versions that use one. */
import type { Client } from '@libsql/client'
import type { SecretRecord } from '../records.js'
import { writeBatch } from './open-database.js'

const bytes = (value: unknown): Uint8Array =>
  value instanceof ArrayBuffer ? new Uint8Array(value) : new Uint8Array(value as ArrayBufferLike)

export async function putSecret(
  client: Client,
  name: string,
  sealed: Uint8Array,
  at: number,
): Promise<{ created: boolean }> {
  const [, inserted] = await writeBatch(client, [
    {
      sql: 'UPDATE secrets SET sealed = ?, updated_at = ? WHERE name = ?',
      args: [sealed, at, name],
    },
    {
      sql: 'INSERT INTO secrets (name, sealed, created_at, updated_at) SELECT ?, ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM secrets WHERE name = ?)',
      args: [name, sealed, at, at, name],
    },
  ])
  return { created: (inserted?.rowsAffected ?? 0) > 0 }
}

export async function getSecret(client: Client, name: string): Promise<Uint8Array | undefined> {
  const result = await client.execute({
    sql: 'SELECT sealed FROM secrets WHERE name = ?',
    args: [name],
  })
  const row = result.rows[0]
  return row ? bytes(row.sealed) : undefined
}

export async function listSecrets(client: Client): Promise<SecretRecord[]> {
  const result = await client.execute(
    'SELECT name, created_at, updated_at FROM secrets ORDER BY name',
  )
  return result.rows.map((row) => ({
    name: String(row.name),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }))
}

export async function deleteSecret(client: Client, name: string): Promise<boolean> {
  const [result] = await writeBatch(client, [
    { sql: 'DELETE FROM secrets WHERE name = ?', args: [name] },
  ])
  return (result?.rowsAffected ?? 0) > 0
}

/** Every task version whose `capabilities.env` names the secret, as `name@version`. */
export async function tasksUsingSecret(client: Client, name: string): Promise<string[]> {
  const result = await client.execute({
    sql: `SELECT DISTINCT t.name, t.version FROM tasks t, json_each(t.document, '$.capabilities.env') e
      WHERE json_extract(t.document, e.fullkey || '.secret') = ?
      ORDER BY t.name, t.version`,
    args: [name],
  })
  return result.rows.map((row) => `${String(row.name)}@${Number(row.version)}`)
}

export async function getSecretCheck(client: Client): Promise<Uint8Array | undefined> {
  const row = (await client.execute('SELECT sealed FROM secret_check WHERE id = 1')).rows[0]
  return row ? bytes(row.sealed) : undefined
}

/** Stores the check value unless one is there; answers the one that is stored. */
export async function initSecretCheck(client: Client, sealed: Uint8Array): Promise<Uint8Array> {
  await writeBatch(client, [
    { sql: 'INSERT OR IGNORE INTO secret_check (id, sealed) VALUES (1, ?)', args: [sealed] },
  ])
  return (await getSecretCheck(client)) ?? sealed
}
