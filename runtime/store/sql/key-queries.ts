/** SQL for API keys: stored with a hash of their secret, never the secret. */
import type { ApiKeyRecord } from '../records.js'
import { apiKeyFromRow } from './row-mapping.js'
import type { SqlClient } from './sql-client.js'

export async function createApiKey(client: SqlClient, key: ApiKeyRecord): Promise<void> {
  await client.write([
    {
      sql: 'INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES (?, ?, ?, ?, ?)',
      args: [key.id, key.name, key.role, key.secretHash, key.createdAt],
    },
  ])
}

export async function getApiKey(client: SqlClient, id: string): Promise<ApiKeyRecord | undefined> {
  const result = await client.execute({ sql: 'SELECT * FROM api_keys WHERE id = ?', args: [id] })
  const row = result.rows[0]
  return row ? apiKeyFromRow(row) : undefined
}

export async function listApiKeys(client: SqlClient): Promise<ApiKeyRecord[]> {
  const result = await client.execute('SELECT * FROM api_keys ORDER BY created_at, id')
  return result.rows.map(apiKeyFromRow)
}

export async function deleteApiKey(client: SqlClient, id: string): Promise<boolean> {
  const [result] = await client.write([{ sql: 'DELETE FROM api_keys WHERE id = ?', args: [id] }])
  return (result?.rowsAffected ?? 0) > 0
}
