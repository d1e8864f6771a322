/**
 * The retention contract, on libSQL and PostgreSQL: finished run trees older
 * than the window go with every row of their runs, batch by batch,
 * descendants before their root; recent trees, active runs and trees with an
 * active run stay whole; refused starts go by their own time; one holder of
 * a housekeeping lease at a time, in the database's clock.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { SqlStore } from '../../../../runtime/store/index.js'
import {
  day,
  ended,
  now,
  old,
  only,
  rowsByRun,
  seedMix,
  window,
} from '../../../fixtures/retention-trees.js'
import { newRun } from '../../../fixtures/store-records.js'
import {
  freshDatabase,
  openTestStore,
  storeKinds,
  storePerTest,
} from '../../../fixtures/test-stores.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** Deletes batch after batch until one deletes nothing; the count of each batch. */
async function drain(store: SqlStore, limit: number): Promise<number[]> {
  const batches: number[] = []
  for (;;) {
    const deleted = await store.retention.deleteFinishedRuns(now - window, limit)
    if (deleted === 0) return batches
    batches.push(deleted)
  }
}

describe.each(storeKinds)('retention on %s', (kind) => {
  const current = storePerTest(kind)

  test.each([2, 100])(
    'finished trees past the window go with all their rows (batches of %i); the rest stays whole',
    async (limit) => {
      const store = current()
      const { deleted, kept } = await seedMix(store)
      const before = await rowsByRun(store)
      // Every kind of row is there to be deleted, for the runs that go and those that stay.
      for (const table of ['step_runs', 'attempts', 'events', 'run_requests', 'idempotency_keys'])
        expect(Object.keys(only(before, deleted)[table] ?? {}).length).toBeGreaterThan(0)
      const batches = await drain(store, limit)
      expect(batches.reduce((a, b) => a + b, 0)).toBe(deleted.length)
      expect(Math.max(...batches)).toBeLessThanOrEqual(limit)
      expect(await store.retention.deleteRefusedStarts(now - window, limit)).toBe(1)
      const after = await rowsByRun(store)
      expect(after).toEqual(only(before, [...kept, 'refused-recent']))
      expect(after.runs).toEqual(Object.fromEntries(kept.map((id) => [id, 1])))
    },
  )

  test('a big tree goes a batch at a time, its root last', async () => {
    const store = current()
    await store.createRun(newRun('root', old - day))
    for (let i = 0; i < 25; i++) {
      const id = `child-${String(i).padStart(2, '0')}`
      await store.createRun(
        newRun(id, old - day, {
          parent: { run: 'root', step: 'a', seq: 1, attempt: 1, index: i, root: 'root', depth: 1 },
        }),
      )
      await store.commit([ended(id, old)])
    }
    await store.commit([ended('root', old)])
    const runs = async () =>
      Number((await store.client.execute('SELECT COUNT(*) AS n FROM runs')).rows[0]?.n)
    const left: number[] = []
    for (let deleted = -1; deleted !== 0; ) {
      deleted = await store.retention.deleteFinishedRuns(now - window, 10)
      left.push(await runs())
      if (left.at(-1) !== 0) expect(await store.getRun('root')).toBeDefined()
    }
    expect(left).toEqual([16, 6, 1, 0, 0])
  })

  test('a tree whose root ended within the window, or not at all, is kept', async () => {
    const store = current()
    await store.createRun(newRun('r', old))
    await store.commit([ended('r', now - window + 1000)])
    await store.createRun(newRun('active', old))
    expect(await store.retention.deleteFinishedRuns(now - window, 100)).toBe(0)
    expect(await store.retention.deleteFinishedRuns(now - window + 2000, 100)).toBe(1)
    expect((await store.getRun('active'))?.status).toBe('running')
  })

  test('refused starts go by their own time, oldest first, a batch at a time', async () => {
    const store = current()
    for (let i = 0; i < 5; i++)
      await store.recordRefusedStart({
        id: `refused-${i}`,
        flow: { name: 'f', version: 1 },
        trigger: '/triggers/0',
        input: {},
        reason: 'no',
        code: 'guard_false',
        createdAt: old + i,
      })
    expect(await store.retention.deleteRefusedStarts(old + 4, 2)).toBe(2)
    expect((await store.listRefusedStarts('f')).map((r) => r.id)).toEqual([
      'refused-4',
      'refused-3',
      'refused-2',
    ])
    expect(await store.retention.deleteRefusedStarts(old + 4, 2)).toBe(2)
    expect(await store.retention.deleteRefusedStarts(old + 4, 2)).toBe(0)
  })

  test('free space: PostgreSQL reclaims it by itself, libSQL counts what is left', async () => {
    const left = await current().retention.reclaimSpace(100)
    expect(left).toBe(0)
  })
})

describe.each(storeKinds)('the housekeeping lease on %s', (kind) => {
  let a: SqlStore
  let b: SqlStore

  beforeEach(async () => {
    const url = await freshDatabase(kind)
    a = await openTestStore(kind, url)
    b = await openTestStore(kind, url)
  })

  afterEach(async () => {
    await Promise.all([a.close(), b.close()])
  })

  test('one holder at a time; renewed by its holder; taken once released or expired', async () => {
    expect(await a.retention.holdLease('retention', 'node-a', 60_000)).toBe(true)
    expect(await b.retention.holdLease('retention', 'node-b', 60_000)).toBe(false)
    expect(await a.retention.holdLease('retention', 'node-a', 300)).toBe(true)
    // Another lease name is another lease.
    expect(await b.retention.holdLease('other', 'node-b', 60_000)).toBe(true)
    // Releasing a lease one does not hold changes nothing.
    await b.retention.releaseLease('retention', 'node-b')
    expect(await b.retention.holdLease('retention', 'node-b', 60_000)).toBe(false)
    await sleep(400)
    expect(await b.retention.holdLease('retention', 'node-b', 60_000)).toBe(true)
    expect(await a.retention.holdLease('retention', 'node-a', 60_000)).toBe(false)
    await b.retention.releaseLease('retention', 'node-b')
    expect(await a.retention.holdLease('retention', 'node-a', 60_000)).toBe(true)
  })

  test('nodes taking it at once: exactly one gets it', async () => {
    const taken = await Promise.all(
      [a, b, a, b].map((s, i) => s.retention.holdLease('race', `node-${i}`, 60_000)),
    )
    expect(taken.filter(Boolean)).toHaveLength(1)
  })
})
