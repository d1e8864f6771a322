/**
 * Opening PostgreSQL: migrations applied once by nodes starting together; a
 * role that owns its database is enough; a wrong password, a missing database
 * and an unreachable host each a one-line error naming the URL with its
 * password masked, from the store and from `weir serve`; a shared database
 * without WEIR_SECRET_KEY refused.
 */
import { execFile } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import pg from 'pg'
import { describe, expect, test } from 'vitest'
import { PostgresStore } from '../../../../runtime/store/index.js'
import { maskUrl } from '../../../../runtime/store/postgres/postgres-faults.js'
import { freePort } from '../../../fixtures/postgres-cluster.js'
import { adminUrl, createTestDatabase } from '../../../fixtures/postgres-database.js'

const main = fileURLToPath(new URL('../../../../runtime/cli/main.ts', import.meta.url))

/** `url` with one part changed. */
function changed(url: string, change: (u: URL) => void): string {
  const u = new URL(url)
  change(u)
  return u.toString()
}

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await client.query(sql)
  } finally {
    await client.end()
  }
}

describe('opening PostgreSQL', () => {
  test('nodes starting together apply each migration once', async () => {
    const url = await createTestDatabase()
    const stores = await Promise.all(Array.from({ length: 4 }, () => PostgresStore.open({ url })))
    await Promise.all(stores.map((s) => s.close()))
    const applied = await query(url, 'SELECT version, name FROM schema_migrations ORDER BY version')
    expect(applied.rows).toEqual([
      { version: '10', name: 'initial' },
      { version: '11', name: 'leases' },
      { version: '12', name: 'run-requests' },
      { version: '13', name: 'composition' },
      { version: '14', name: 'compensation' },
      { version: '15', name: 'run-changes' },
      { version: '16', name: 'audit' },
      { version: '17', name: 'retention' },
      { version: '18', name: 'trace-context' },
    ])
  })

  test('a session left in a transaction (a node paused mid-commit) is ended after 5 s, releasing its locks', async () => {
    const url = await createTestDatabase()
    const store = await PostgresStore.open({ url })
    try {
      const [shown] = (await store.client.execute('SHOW idle_in_transaction_session_timeout')).rows
      expect(shown).toEqual({ idle_in_transaction_session_timeout: '5s' })
    } finally {
      await store.close()
    }
  })

  test('a role that owns its database (no superuser) is all weir needs', async () => {
    const role = `weir_${Math.random().toString(16).slice(2, 10)}`
    await query(adminUrl(), `CREATE ROLE ${role} LOGIN PASSWORD 'owner-pass-1'`)
    await query(adminUrl(), `CREATE DATABASE ${role} OWNER ${role}`)
    const url = changed(adminUrl(), (u) => {
      u.username = role
      u.password = 'owner-pass-1'
      u.pathname = `/${role}`
    })
    const store = await PostgresStore.open({ url })
    await store.publishFlow({ name: 'f', steps: [{ id: 'a', task: 't@1' }] }, 'p')
    expect((await store.getFlow('f'))?.version).toBe(1)
    await store.close()
  })

  test('a wrong password, a missing database and an unreachable host are one-line errors', async () => {
    const good = await createTestDatabase()
    const port = await freePort()
    const cases = [
      [
        changed(good, (u) => {
          u.password = 'not-the-password'
        }),
        'password authentication failed for user "postgres"',
      ],
      [
        changed(good, (u) => {
          u.pathname = '/no_such_db'
        }),
        'database "no_such_db" does not exist',
      ],
      [
        changed(good, (u) => {
          u.port = String(port)
        }),
        `connect ECONNREFUSED 127.0.0.1:${port}`,
      ],
    ] as const
    for (const [url, reason] of cases) {
      const error = await PostgresStore.open({ url }).catch((e: unknown) => e)
      expect(error).toMatchObject({
        code: 'storage_unavailable',
        message: `cannot connect to the database at ${maskUrl(url)}: ${reason}`,
      })
      expect(maskUrl(url)).toContain('postgres:***@127.0.0.1:')
      expect(String((error as Error).message)).not.toContain(new URL(url).password)
    }
  })

  test('weir serve names the masked URL and exits; a shared database needs WEIR_SECRET_KEY', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'weir-pg-serve-'))
    const wrong = changed(adminUrl(), (u) => {
      u.password = 'hunter2-wrong'
    })
    const run = (url: string) =>
      promisify(execFile)(
        process.execPath,
        ['--import', 'tsx', main, 'serve', '--port', '0', '--data-dir', dataDir, '--db-url', url],
        { timeout: 15_000, env: { ...process.env, WEIR_SECRET_KEY: '' } },
      ).then(
        () => ({ code: 0, stderr: '' }),
        (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
      )
    const refused = await run(wrong)
    expect(refused).toEqual({
      code: 1,
      stderr: `weir: cannot connect to the database at ${maskUrl(wrong)}: password authentication failed for user "postgres"\n`,
    })
    expect(refused.stderr).not.toContain('hunter2')
    const keyless = await run(await createTestDatabase())
    expect(keyless.code).toBe(1)
    expect(keyless.stderr).toContain('weir: WEIR_SECRET_KEY is required with PostgreSQL')
  })
})
