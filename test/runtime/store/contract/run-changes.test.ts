/**
 * The store contract for live streams of runs, on libSQL and PostgreSQL
 * alike: runs by their last change, in (updated_at, id) order, after a
 * position, filtered and limited, each with its change time and last event.
 */
import { describe, expect, test } from 'vitest'
import type { ChangedRun } from '../../../../runtime/store/store.js'
import { completion, newRun } from '../../../fixtures/store-records.js'
import { storeKinds, storePerTest } from '../../../fixtures/test-stores.js'

const brief = (changed: ChangedRun) => [
  changed.run.id,
  changed.run.status,
  changed.updatedAt,
  changed.eventSeq,
]

describe.each(storeKinds)('%s store', (kind) => {
  let clock = 0
  const current = storePerTest(kind, { now: () => clock })

  test('runs come by their last change, then id, after a position, filtered and limited', async () => {
    const store = current()
    await store.createRun(newRun('r2', 1000))
    await store.createRun(newRun('r1', 1000))
    await store.createRun(newRun('g1', 1001, { flow: { name: 'g', version: 1 } }))
    expect((await store.runsChangedSince({}, undefined, 10)).map(brief)).toEqual([
      ['r1', 'running', 1000, 1],
      ['r2', 'running', 1000, 1],
      ['g1', 'running', 1001, 1],
    ])
    clock = 2000
    await store.commit([completion('r1', { n: 1 })])
    expect((await store.runsChangedSince({}, undefined, 10)).map(brief)).toEqual([
      ['r2', 'running', 1000, 1],
      ['g1', 'running', 1001, 1],
      ['r1', 'completed', 2000, 3],
    ])
    expect(
      (await store.runsChangedSince({}, { updatedAt: 1000, id: 'r2' }, 10)).map(brief),
    ).toEqual([
      ['g1', 'running', 1001, 1],
      ['r1', 'completed', 2000, 3],
    ])
    expect((await store.runsChangedSince({}, { updatedAt: 1000, id: '' }, 1)).map(brief)).toEqual([
      ['r2', 'running', 1000, 1],
    ])
    expect((await store.runsChangedSince({ flow: 'f' }, undefined, 10)).map(brief)).toEqual([
      ['r2', 'running', 1000, 1],
      ['r1', 'completed', 2000, 3],
    ])
    expect(
      (
        await store.runsChangedSince({ status: 'completed', process: 'billing' }, undefined, 10)
      ).map(brief),
    ).toEqual([['r1', 'completed', 2000, 3]])
    expect(await store.runsChangedSince({ parent: 'r1' }, undefined, 10)).toEqual([])
    const [changed] = await store.runsChangedSince({ flow: 'g' }, undefined, 10)
    expect(changed?.run).toEqual(await store.getRun('g1'))
  })

  test('migration 15 indexes runs by (updated_at, id)', async () => {
    const sql =
      kind === 'libsql'
        ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'runs_by_change'"
        : "SELECT indexname AS name FROM pg_indexes WHERE tablename = 'runs' AND indexname = 'runs_by_change'"
    const result = await current().client.execute(sql)
    expect(result.rows.map((row) => row.name)).toEqual(['runs_by_change'])
  })
})
