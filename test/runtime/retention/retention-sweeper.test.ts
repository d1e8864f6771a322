/**
 * The retention sweeper on a real store (libSQL and PostgreSQL): a sweep
 * deletes the finished trees, refused starts and audit entries past their
 * windows and nothing else; `off` deletes nothing; of two nodes sweeping one
 * database only the lease's holder sweeps, and another takes over once it
 * stops or its lease expires; a stop does not wait out the pause between
 * batches.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { RetentionSweeper, type SweeperOptions } from '../../../runtime/retention/index.js'
import type { AuditEntry, SqlStore } from '../../../runtime/store/index.js'
import {
  day,
  ended,
  now,
  old,
  only,
  recent,
  rowsByRun,
  seedMix,
  window,
} from '../../fixtures/retention-trees.js'
import { newRun } from '../../fixtures/store-records.js'
import { freshDatabase, openTestStore, storeKinds } from '../../fixtures/test-stores.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const entry = (id: string, at: number): AuditEntry => ({
  id,
  at,
  keyId: 'k1',
  keyName: 'ci',
  role: 'admin',
  action: 'run.start',
  target: `run:${id}`,
  outcome: 'ok',
  status: 201,
  node: 'node-a',
  details: undefined,
})

describe.each(storeKinds)('the retention sweeper on %s', (kind) => {
  let a: SqlStore
  let b: SqlStore
  const sweepers: RetentionSweeper[] = []

  beforeEach(async () => {
    const url = await freshDatabase(kind)
    a = await openTestStore(kind, url)
    b = await openTestStore(kind, url)
  })

  afterEach(async () => {
    await Promise.all(sweepers.splice(0).map((s) => s.stop()))
    await Promise.all([a.close(), b.close()])
  })

  const sweeper = (store: SqlStore, node: string, options: Partial<SweeperOptions> = {}) => {
    const made = new RetentionSweeper({
      retention: store.retention,
      audit: store.audit,
      node,
      runsMs: window,
      auditMs: 365 * day,
      now: () => now,
      timing: { batchSize: 3, pauseMs: 1 },
      ...options,
    })
    sweepers.push(made)
    return made
  }

  test('a sweep deletes what is past its window, and only that', async () => {
    const { deleted, kept } = await seedMix(a)
    await a.audit.append(entry('audit-old', now - 400 * day))
    await a.audit.append(entry('audit-recent', recent))
    const before = await rowsByRun(a)
    expect(await sweeper(a, 'node-a').sweep()).toEqual({
      runs: deleted.length,
      refusedStarts: 1,
      auditEntries: 1,
      freePages: 0,
    })
    expect(await rowsByRun(a)).toEqual(only(before, [...kept, 'refused-recent']))
    expect((await a.audit.list({})).items.map((e) => e.id)).toEqual(['audit-recent'])
    // Nothing is left to delete.
    expect(await sweeper(a, 'node-a').sweep()).toEqual({
      runs: 0,
      refusedStarts: 0,
      auditEntries: 0,
      freePages: 0,
    })
  })

  test('off deletes nothing', async () => {
    await seedMix(a)
    await a.audit.append(entry('audit-old', now - 400 * day))
    const before = await rowsByRun(a)
    const off = sweeper(a, 'node-a', { runsMs: undefined, auditMs: undefined })
    expect(off.enabled).toBe(false)
    expect(await off.sweep()).toBeUndefined()
    // Runs off, the audit log on: only audit entries go.
    expect(await sweeper(a, 'node-a', { runsMs: undefined }).sweep()).toMatchObject({
      runs: 0,
      refusedStarts: 0,
      auditEntries: 1,
    })
    expect(await rowsByRun(a)).toEqual(before)
  })

  test('two nodes on one database: only the holder of the lease sweeps', async () => {
    const { deleted } = await seedMix(a)
    const first = sweeper(a, 'node-a')
    const second = sweeper(b, 'node-b')
    const results = await Promise.all([first.sweep(), second.sweep()])
    expect(results.filter((r) => r === undefined)).toHaveLength(1)
    expect(results.find((r) => r !== undefined)?.runs).toBe(deleted.length)
    // The holder keeps the lease from sweep to sweep.
    const holder = results[0] ? first : second
    const other = results[0] ? second : first
    expect(await other.sweep()).toBeUndefined()
    expect(await holder.sweep()).toMatchObject({ runs: 0 })
    // A holder that stops lets it go at once.
    await holder.stop()
    expect(await other.sweep()).toMatchObject({ runs: 0 })
  })

  test('a dead holder’s lease passes to another node once it expires', async () => {
    const dying = sweeper(a, 'node-a', { timing: { leaseMs: 300 } })
    expect(await dying.sweep()).toBeDefined()
    const other = sweeper(b, 'node-b')
    expect(await other.sweep()).toBeUndefined()
    await sleep(400)
    expect(await other.sweep()).toBeDefined()
  })

  test('a sweep longer than the lease renews it as it goes', async () => {
    const { deleted } = await seedMix(a)
    const long = sweeper(a, 'node-a', { timing: { batchSize: 1, pauseMs: 80, leaseMs: 300 } })
    const sweep = long.sweep()
    await sleep(400)
    expect(await sweeper(b, 'node-b').sweep()).toBeUndefined()
    expect((await sweep)?.runs).toBe(deleted.length)
  })

  test('stop ends a sweep between batches without waiting out the pause', async () => {
    await seedMix(a)
    const slow = sweeper(a, 'node-a', { timing: { batchSize: 1, pauseMs: 60_000 } })
    const sweep = slow.sweep()
    await sleep(200)
    const started = performance.now()
    await slow.stop()
    expect(performance.now() - started).toBeLessThan(2000)
    expect((await sweep)?.runs).toBe(1)
    // It let the lease go.
    expect(await sweeper(b, 'node-b').sweep()).toBeDefined()
  })

  test('started, it sweeps soon and then at every interval', async () => {
    await seedMix(a)
    const timed = sweeper(a, 'node-a', { timing: { firstMs: 10, intervalMs: 50 } })
    timed.start()
    for (let i = 0; i < 100 && (await a.getRun('old-a')); i++) await sleep(20)
    expect(await a.getRun('old-a')).toBeUndefined()
    await a.createRun(newRun('late', old))
    await a.commit([ended('late', old)])
    for (let i = 0; i < 100 && (await a.getRun('late')); i++) await sleep(20)
    expect(await a.getRun('late')).toBeUndefined()
  })
})
