/**
 * What metrics read of the store, on libSQL and PostgreSQL: active runs
 * counted by status (every status present, finished runs left out), and each
 * committed group of run changes reported with its size and duration.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import type { SqlStore } from '../../../../runtime/store/index.js'
import type { RunStatus } from '../../../../runtime/store/records.js'
import { completion, newRun, running } from '../../../fixtures/store-records.js'
import { freshDatabase, openTestStore, storeKinds } from '../../../fixtures/test-stores.js'

describe.each(storeKinds)('store stats on %s', (kind) => {
  let store: SqlStore

  beforeEach(async () => {
    store = await openTestStore(kind, await freshDatabase(kind))
  })

  afterEach(async () => {
    await store.close()
  })

  const runIn = (id: string, at: number, status: RunStatus) =>
    newRun(id, at, { progress: { ...running, status } })

  test('active runs by status: every status answered, finished runs not counted', async () => {
    expect(await store.stats.activeRunCounts()).toEqual({
      queued: 0,
      running: 0,
      waiting: 0,
      paused: 0,
    })
    const statuses: RunStatus[] = ['running', 'running', 'running', 'queued', 'waiting', 'paused']
    for (const [i, status] of statuses.entries()) await store.createRun(runIn(`r${i}`, i, status))
    await store.commit([completion('r0', { n: 1 })])
    expect(await store.stats.activeRunCounts()).toEqual({
      queued: 1,
      running: 2,
      waiting: 1,
      paused: 1,
    })
  })

  test('each committed group is reported with its size and duration, until the observer is removed', async () => {
    const groups: [number, number][] = []
    store.stats.observeGroupCommits((size, seconds) => groups.push([size, seconds]))
    await store.createRun(newRun('a', 1))
    await Promise.all([store.createRun(newRun('b', 2)), store.createRun(newRun('c', 3))])
    expect(groups.map(([size]) => size).reduce((a, b) => a + b, 0)).toBe(3)
    expect(groups.every(([, seconds]) => seconds >= 0 && seconds < 10)).toBe(true)
    store.stats.observeGroupCommits(undefined)
    await store.commit([completion('a', { n: 1 })])
    expect(groups.map(([size]) => size).reduce((a, b) => a + b, 0)).toBe(3)
  })
})
