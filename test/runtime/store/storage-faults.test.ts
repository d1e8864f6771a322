/**
 * Storage faults on a real libSQL file: a database at its page limit
 * (`PRAGMA max_page_count`, a deterministic SQLITE_FULL), one that is
 * read-only, one that cannot be opened. Each answers `storage_unavailable`
 * (503, a message that says what happened), marks storage unavailable, and
 * storage is ok again after a write succeeds — a probe write when nothing else
 * writes.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { LibsqlBatchError, LibsqlError } from '@libsql/client'
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { WeirError } from '../../../runtime/errors.js'
import { LibsqlStore } from '../../../runtime/store/index.js'
import { storageFault } from '../../../runtime/store/libsql/storage-faults.js'
import type { NewRun, RunChange } from '../../../runtime/store/store.js'
import { running } from '../../fixtures/store-records.js'
import { fillDatabase, unfillDatabase } from './fill-database.js'

let store: LibsqlStore
let now: number

beforeEach(async () => {
  now = 1_000_000
  const dir = mkdtempSync(join(tmpdir(), 'weir-faults-'))
  store = await LibsqlStore.open({ url: `file:${join(dir, 'weir.db')}`, now: () => now })
})

afterEach(async () => {
  await store.close()
})

const full = 'the database cannot be written: it is full (SQLITE_FULL); retry later'

/** 20 KB of input: its row needs new pages, which a full database does not have. */
const newRun = (id: string): NewRun => ({
  id,
  flow: { name: 'f', version: 1 },
  process: 'p',
  input: { pad: 'x'.repeat(20_000) },
  createdAt: 1000,
  progress: running,
  events: [{ type: 'run_started', at: 1000, data: {} }],
})

const completion = (runId: string): RunChange => ({
  runId,
  progress: {
    ...running,
    status: 'completed',
    eventSeq: 2,
    output: { pad: 'y'.repeat(20_000) },
    finishedAt: 2000,
  },
  events: [{ type: 'run_completed', at: 2000, data: {} }],
})

describe('storage faults', () => {
  test('SQLITE_FULL: starts and run changes answer storage_unavailable until space returns', async () => {
    await store.createRun(newRun('before'))
    expect(store.storage.status).toBe('ok')
    await fillDatabase(store.client)
    expect(store.storage.status).toBe('ok')

    const start = await store.createRun(newRun('during')).catch((error: unknown) => error)
    expect(start).toBeInstanceOf(WeirError)
    expect(start).toMatchObject({ code: 'storage_unavailable', status: 503, message: full })
    expect((start as WeirError).cause).toMatchObject({ code: 'SQLITE_FULL' })
    await expect(store.commit([completion('before')])).rejects.toMatchObject({
      code: 'storage_unavailable',
      message: full,
    })
    expect([store.storage.status, store.storage.fault?.message]).toEqual(['unavailable', full])
    // Reads still work; nothing of the refused writes is there.
    expect(await store.getRun('before')).toMatchObject({ status: 'running', output: undefined })
    expect(await store.getRun('during')).toBeUndefined()

    // A probe write at most once a second; it fails as real writes do while the database is full.
    expect(await store.storage.check()).toBe('unavailable')
    now += 1000
    expect(await store.storage.check()).toBe('unavailable')
    await unfillDatabase(store.client)
    expect(await store.storage.check()).toBe('unavailable')
    now += 1000
    expect(await store.storage.check()).toBe('ok')
    expect([store.storage.status, store.storage.fault]).toEqual(['ok', undefined])
    expect((await store.client.execute('SELECT COUNT(*) AS n FROM storage_probe')).rows[0]?.n).toBe(
      0,
    )

    await store.commit([completion('before')])
    expect(await store.getRun('before')).toMatchObject({
      status: 'completed',
      output: { pad: 'y'.repeat(20_000) },
    })
  })

  test('any write that commits makes storage ok again', async () => {
    await fillDatabase(store.client)
    await expect(store.createRun(newRun('during'))).rejects.toMatchObject({ message: full })
    expect(store.storage.status).toBe('unavailable')
    await unfillDatabase(store.client)
    await store.createRun(newRun('after'))
    expect(store.storage.status).toBe('ok')
    expect(await store.getRun('after')).toMatchObject({ status: 'running' })
  })

  test('a read-only database answers storage_unavailable', async () => {
    await store.client.execute('PRAGMA query_only = 1')
    await expect(store.createRun(newRun('r'))).rejects.toMatchObject({
      code: 'storage_unavailable',
      message: 'the database cannot be written: it is read-only (SQLITE_READONLY); retry later',
    })
    expect(store.storage.status).toBe('unavailable')
    await store.client.execute('PRAGMA query_only = 0')
    await store.createRun(newRun('r'))
    expect(store.storage.status).toBe('ok')
  })

  test('a database file that cannot be opened answers storage_unavailable', async () => {
    const url = `file:${join(tmpdir(), 'weir-no-such-dir', 'deeper', 'weir.db')}`
    await expect(LibsqlStore.open({ url })).rejects.toMatchObject({
      code: 'storage_unavailable',
      status: 503,
      message: 'the database file cannot be opened (SQLITE_CANTOPEN); retry later',
    })
  })

  test.each([
    [
      'SQLITE_IOERR',
      'SQLITE_IOERR_WRITE',
      'the database cannot be read or written: an I/O error occurred (SQLITE_IOERR_WRITE); retry later',
    ],
    ['SQLITE_FULL', 'SQLITE_FULL', full],
    [
      'SQLITE_READONLY',
      'SQLITE_READONLY_DBMOVED',
      'the database cannot be written: it is read-only (SQLITE_READONLY_DBMOVED); retry later',
    ],
    [
      'SQLITE_CANTOPEN',
      'SQLITE_CANTOPEN_ISDIR',
      'the database file cannot be opened (SQLITE_CANTOPEN_ISDIR); retry later',
    ],
    ['SQLITE_CONSTRAINT', 'SQLITE_CONSTRAINT_UNIQUE', undefined],
    ['SQLITE_BUSY', 'SQLITE_BUSY', undefined],
    ['SQLITE_ERROR', 'SQLITE_ERROR', undefined],
  ])('%s (%s) → %s', (code, extendedCode, message) => {
    for (const error of [
      new LibsqlError('from the driver', code, extendedCode),
      new LibsqlBatchError('from the driver', 2, code, extendedCode),
    ]) {
      const fault = storageFault(error)
      expect(fault && [fault.code, fault.status, fault.message, fault.cause]).toEqual(
        message === undefined ? undefined : ['storage_unavailable', 503, message, error],
      )
    }
  })
})
