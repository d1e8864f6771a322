/**
 * The throwaway PostgreSQL server of the run: a test database is created on
 * it, answers queries, and the server refuses a wrong password.
 */
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { createTestDatabase, dropTestDatabase } from './fixtures/postgres-database.js'

describe('postgres test setup', () => {
  const created: string[] = []
  afterAll(async () => {
    for (const url of created) await dropTestDatabase(url)
  })

  it('creates a database of its own on a recent server', async () => {
    const url = await createTestDatabase('setup')
    created.push(url)
    const client = new pg.Client({ connectionString: url })
    await client.connect()
    try {
      const { rows } = await client.query<{ current_database: string; version: string }>(
        "SELECT current_database(), current_setting('server_version_num') AS version",
      )
      expect(rows[0]?.current_database).toMatch(/^setup_[0-9a-f]+$/)
      expect(Number(rows[0]?.version)).toBeGreaterThanOrEqual(120000)
    } finally {
      await client.end()
    }
  })

  it('refuses a wrong password', async () => {
    const url = new URL(await createTestDatabase('setup'))
    created.push(url.toString())
    url.password = 'wrong-password'
    const client = new pg.Client({ connectionString: url.toString() })
    await expect(client.connect()).rejects.toMatchObject({ code: '28P01' })
  })
})
