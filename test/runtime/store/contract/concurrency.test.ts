/**
 * The store contract under concurrency, on libSQL and PostgreSQL: two stores
 * (two connections, as two nodes would hold) on one database start runs with
 * one idempotency key, claim one schedule tick, publish versions of one flow
 * and take slots of a concurrency limit, all at once; each outcome happens
 * exactly as often as it may.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { NoSlotError } from '../../../../runtime/errors.js'
import type { SqlStore } from '../../../../runtime/store/index.js'
import { newRun } from '../../../fixtures/store-records.js'
import { freshDatabase, openTestStore, storeKinds } from '../../../fixtures/test-stores.js'

describe.each(storeKinds)('%s store under concurrency', (kind) => {
  let stores: SqlStore[] = []

  beforeEach(async () => {
    const url = await freshDatabase(kind)
    // The first opens (and migrates) the database before the second joins.
    const first = await openTestStore(kind, url)
    stores = [first, await openTestStore(kind, url)]
  })

  afterEach(async () => {
    await Promise.all(stores.map((s) => s.close()))
  })

  const both = <T>(times: number, work: (store: SqlStore, i: number) => Promise<T>) =>
    Promise.all(Array.from({ length: times }, (_, i) => work(stores[i % 2] as SqlStore, i)))

  test('starts with one idempotency key create one run', async () => {
    const results = await both(20, (store, i) =>
      store.createRun(newRun(`r${i}`, 100 + i, { idempotencyKey: 'same' })),
    )
    const created = results.filter((r) => r.created)
    expect(created).toHaveLength(1)
    const winner = created[0]?.run.id
    expect(new Set(results.map((r) => r.run.id))).toEqual(new Set([winner]))
    const count = await stores[0]?.client.execute('SELECT COUNT(*) AS n FROM runs')
    expect(Number(count?.rows[0]?.n)).toBe(1)
    const events = await stores[0]?.client.execute('SELECT run_id FROM events')
    expect(events?.rows.map((r) => r.run_id)).toEqual([winner])
  })

  test('a schedule tick is claimed once', async () => {
    const store = stores[0] as SqlStore
    await store.saveSchedule({
      id: 's1',
      flow: 'f',
      source: 'api',
      trigger: undefined,
      cron: '* * * * *',
      timezone: 'UTC',
      input: {},
      paused: false,
      nextFireAt: 60_000,
      lastFireAt: undefined,
      createdAt: 1,
      updatedAt: 1,
    })
    const claims = await both(10, (s, i) => s.advanceSchedule('s1', 60_000, 120_000, 70_000 + i))
    expect(claims.filter(Boolean)).toHaveLength(1)
    const saved = await store.getSchedule('s1')
    expect([saved?.nextFireAt, saved?.lastFireAt]).toEqual([120_000, 60_000])
  })

  test('concurrent publishes of one flow get distinct versions, 1 to n', async () => {
    const doc = { name: 'f', steps: [{ id: 'a', task: 't@1' }] }
    const records = await both(16, (s, i) => s.publishFlow({ ...doc, description: `${i}` }, 'p'))
    expect(records.map((r) => r.version).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 16 }, (_, i) => i + 1),
    )
    for (const r of records)
      expect((await stores[1]?.getFlow('f', r.version))?.document.description).toBe(
        r.document.description,
      )
  })

  test('runs taking slots of a limit of 3 at once: 3 get one, the others fail alone with NoSlotError', async () => {
    const slot = { flow: 'f', limit: 3 }
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        (stores[i % 2] as SqlStore).createRun(newRun(`s${i}`, i, { slot })),
      ),
    )
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(3)
    for (const r of results.filter((r) => r.status === 'rejected'))
      expect((r as PromiseRejectedResult).reason).toBeInstanceOf(NoSlotError)
    const count = await stores[0]?.client.execute('SELECT COUNT(*) AS n FROM runs')
    expect(Number(count?.rows[0]?.n)).toBe(3)
  })
})
