/**
 * libSQL and free space: migration 17 switches a database made before it to
 * incremental auto-vacuum (a PRAGMA and a VACUUM, run before its transaction
 * and outside it, again when that transaction did not commit), keeping its
 * rows; after retention deletes runs, the incremental vacuum gives the freed
 * pages back and the file shrinks.
 */
import { mkdtempSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClient } from '@libsql/client'
import { expect, test } from 'vitest'
import { LibsqlStore } from '../../../../runtime/store/index.js'
import { migrations } from '../../../../runtime/store/libsql/migrations/index.js'
import { ended, now, old, window } from '../../../fixtures/retention-trees.js'
import { newRun } from '../../../fixtures/store-records.js'

const pragma = async (store: LibsqlStore, name: string) =>
  Number(Object.values((await store.client.execute(`PRAGMA ${name}`)).rows[0] ?? {})[0])

/** A database file as weir left it before migration 17 (auto_vacuum off), with an API key in it. */
async function databaseAtVersion16(): Promise<{ file: string; url: string }> {
  const file = join(mkdtempSync(join(tmpdir(), 'weir-vacuum-')), 'weir.db')
  const url = `file:${file}`
  const client = createClient({ url })
  await client.execute('PRAGMA journal_mode = WAL')
  await client.execute(
    'CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  )
  for (const m of migrations.filter((m) => m.version <= 16))
    await client.batch(
      [
        ...m.statements,
        {
          sql: 'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, 0)',
          args: [m.version, m.name],
        },
      ],
      'write',
    )
  await client.execute(
    "INSERT INTO api_keys (id, name, role, secret_hash, created_at) VALUES ('k1', 'ci', 'admin', 'h', 1)",
  )
  expect((await client.execute('PRAGMA auto_vacuum')).rows[0]?.auto_vacuum).toBe(0)
  client.close()
  return { file, url }
}

test('an existing database is switched to incremental auto-vacuum, its rows kept', async () => {
  const { url } = await databaseAtVersion16()
  const store = await LibsqlStore.open({ url })
  try {
    expect(await pragma(store, 'auto_vacuum')).toBe(2)
    expect((await store.getApiKey('k1'))?.name).toBe('ci')
    const versions = await store.client.execute('SELECT version FROM schema_migrations')
    expect(versions.rows.map((r) => Number(r.version))).toContain(17)
  } finally {
    await store.close()
  }
})

test('a migration whose transaction fails runs its statements before it again at the next start', async () => {
  const { url } = await databaseAtVersion16()
  const raw = createClient({ url })
  // Migration 17's transaction will fail: its table is there already.
  await raw.execute('CREATE TABLE housekeeping (x INTEGER)')
  raw.close()
  await expect(LibsqlStore.open({ url })).rejects.toThrow(/housekeeping already exists/)
  const again = createClient({ url })
  // The VACUUM ran (outside the transaction, which rolled back), the migration is not recorded.
  expect((await again.execute('PRAGMA auto_vacuum')).rows[0]?.auto_vacuum).toBe(2)
  expect((await again.execute('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v).toBe(
    16,
  )
  await again.execute('DROP TABLE housekeeping')
  again.close()
  const store = await LibsqlStore.open({ url })
  expect(await pragma(store, 'auto_vacuum')).toBe(2)
  expect(await store.retention.holdLease('retention', 'n', 1000)).toBe(true)
  await store.close()
})

test('after a sweep, the incremental vacuum empties the free list and the file shrinks', async () => {
  const { file, url } = await databaseAtVersion16()
  const store = await LibsqlStore.open({ url })
  try {
    const pad = 'x'.repeat(8000)
    for (let i = 0; i < 300; i++) {
      const id = `run-${String(i).padStart(3, '0')}`
      await store.createRun({ ...newRun(id, old - 1000), input: { pad } })
      await store.commit([ended(id, old)])
    }
    await store.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    const full = { pages: await pragma(store, 'page_count'), bytes: statSync(file).size }
    while ((await store.retention.deleteFinishedRuns(now - window, 100)) > 0);
    expect(await store.getRun('run-000')).toBeUndefined()
    const freed = await pragma(store, 'freelist_count')
    expect(freed).toBeGreaterThan(full.pages / 2)
    // A step at a time: each gives back at most the pages it is asked for.
    expect(await store.retention.reclaimSpace(100)).toBe(freed - 100)
    let left = freed
    while (left > 0) left = await store.retention.reclaimSpace(1024)
    expect(await pragma(store, 'freelist_count')).toBe(0)
    await store.client.execute('PRAGMA wal_checkpoint(TRUNCATE)')
    const pages = await pragma(store, 'page_count')
    expect(pages).toBe(full.pages - freed)
    expect(statSync(file).size).toBeLessThan(full.bytes / 2)
  } finally {
    await store.close()
  }
})
