/**
 * The lease contract, on libSQL and PostgreSQL: a node that starts a run owns
 * it; others claim only what is unowned, expired or released, never the same
 * run twice, even claiming at once; a claim moves the epoch on, and a change
 * decided under the old epoch fails alone (FencedError), writing nothing,
 * while the other changes of its group commit. Times are the database's.
 */
import { afterEach, beforeEach, describe, expect, test } from 'vitest'
import { FencedError } from '../../../../runtime/errors.js'
import type { SqlStore } from '../../../../runtime/store/index.js'
import { completion, newRun } from '../../../fixtures/store-records.js'
import { freshDatabase, openTestStore, storeKinds } from '../../../fixtures/test-stores.js'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

describe.each(storeKinds)('leases on %s', (kind) => {
  let a: SqlStore
  let b: SqlStore

  beforeEach(async () => {
    const url = await freshDatabase(kind)
    a = await openTestStore(kind, url)
    b = await openTestStore(kind, url)
    await a.registerNode({ id: 'node-a', host: 'h', pid: 1 })
    await b.registerNode({ id: 'node-b', host: 'h', pid: 2 })
  })

  afterEach(async () => {
    await Promise.all([a.close(), b.close()])
  })

  const owned = (id: string, at: number, leaseMs = 60_000) =>
    newRun(id, at, { owner: { node: 'node-a', leaseMs } })

  test('the starting node owns a run until its lease expires; then another claims it', async () => {
    await a.createRun(owned('r1', 1, 300))
    expect(await b.claimRuns('node-b', 10_000, 10)).toEqual([])
    await sleep(400)
    const [claimed, ...rest] = await b.claimRuns('node-b', 10_000, 10)
    expect(rest).toEqual([])
    expect([claimed?.run.id, claimed?.epoch, claimed?.progress.currentStep]).toEqual(['r1', 2, 'a'])
    expect(await a.claimRuns('node-a', 10_000, 10)).toEqual([])
  })

  test('a change under a lost epoch fails alone and writes nothing; its group commits', async () => {
    await a.createRun(owned('lost', 1, 100))
    await a.createRun(owned('kept', 2))
    await sleep(200)
    expect((await b.claimRuns('node-b', 10_000, 10)).map((c) => [c.run.id, c.epoch])).toEqual([
      ['lost', 2],
    ])
    const results = await Promise.allSettled([
      a.commit([{ ...completion('lost', { n: 1 }), epoch: 1 }]),
      a.commit([{ ...completion('kept', { n: 2 }), epoch: 1 }]),
    ])
    expect(results.map((r) => r.status)).toEqual(['rejected', 'fulfilled'])
    const reason = (results[0] as PromiseRejectedResult).reason
    expect(reason).toBeInstanceOf(FencedError)
    expect([reason.code, reason.message]).toEqual([
      'conflict',
      'run lost is driven by another node now (its epoch is 2, this node held 1)',
    ])
    expect((await a.getRun('lost'))?.status).toBe('running')
    expect(await a.getStepRuns('lost')).toEqual([])
    expect((await a.listEvents('lost')).items.map((e) => e.type)).toEqual(['run_started'])
    expect((await a.getRun('kept'))?.status).toBe('completed')
    // The new owner's commit, under the new epoch, is written.
    await b.commit([{ ...completion('lost', { n: 3 }), epoch: 2 }])
    expect((await b.getRun('lost'))?.output).toEqual({ n: 3 })
  })

  test('nodes claiming at once never take the same run', async () => {
    for (let i = 0; i < 30; i++) await a.createRun(newRun(`free-${String(i).padStart(2, '0')}`, i))
    const rounds = await Promise.all([
      a.claimRuns('node-a', 10_000, 7),
      b.claimRuns('node-b', 10_000, 7),
      a.claimRuns('node-a', 10_000, 7),
      b.claimRuns('node-b', 10_000, 7),
      a.claimRuns('node-a', 10_000, 7),
    ])
    const ids = rounds.flat().map((c) => c.run.id)
    expect(new Set(ids).size).toBe(ids.length)
    expect(ids.length).toBe(30)
    for (const c of rounds.flat()) expect(c.epoch).toBe(1)
    const nodes = await a.listNodes(60_000)
    expect(nodes.map((n) => n.id)).toEqual(['node-a', 'node-b'])
    expect(nodes.reduce((sum, n) => sum + n.runs, 0)).toBe(30)
  })

  test('renewals keep a lease; a release lets every run go at once; own runs are reclaimed', async () => {
    await a.createRun(owned('r1', 1, 300))
    await a.createRun(owned('r2', 2, 300))
    await sleep(150)
    expect(await a.renewLeases('node-a', 60_000)).toBe(2)
    await sleep(300)
    expect(await b.claimRuns('node-b', 10_000, 10)).toEqual([])
    // A restart of node-a (same id) takes its own runs back, unexpired as they are.
    expect((await a.claimRuns('node-a', 60_000, 10, { own: true })).map((c) => c.epoch)).toEqual([
      2, 2,
    ])
    await a.releaseRuns('node-a')
    expect((await b.claimRuns('node-b', 10_000, 10)).map((c) => [c.run.id, c.epoch])).toEqual([
      ['r1', 3],
      ['r2', 3],
    ])
    expect((await a.listNodes(60_000)).map((n) => [n.id, n.runs])).toEqual([['node-b', 2]])
  })

  test('one run is claimed whatever its status, unless another node holds it', async () => {
    await a.createRun(owned('done', 1))
    await a.commit([{ ...completion('done', { n: 1 }), epoch: 1 }])
    expect(await b.claimRun('node-b', 'done', 10_000)).toBeUndefined()
    const again = await a.claimRun('node-a', 'done', 10_000)
    expect([again?.run.status, again?.epoch]).toEqual(['completed', 2])
    expect(await a.claimRun('node-a', 'missing', 10_000)).toBeUndefined()
  })

  test("the database's clock", async () => {
    expect(Math.abs((await a.databaseNow()) - Date.now())).toBeLessThan(5000)
  })

  test('requests for a run reach its owner, are taken once, answered and collected; an untaken one is withdrawn', async () => {
    await a.createRun(owned('r1', 1))
    const request = (id: string) => ({
      id,
      runId: 'r1',
      kind: 'event' as const,
      body: { name: 'go', payload: { n: 1 } },
      createdAt: 5,
    })
    await b.addRunRequest(request('q1'))
    await b.addRunRequest(request('q2'))
    expect(await b.pendingRunRequests('node-b', 10)).toEqual([])
    expect((await a.pendingRunRequests('node-a', 10)).map((r) => [r.id, r.body])).toEqual([
      ['q1', { name: 'go', payload: { n: 1 } }],
      ['q2', { name: 'go', payload: { n: 1 } }],
    ])
    expect([await a.takeRunRequest('q1', 6), await a.takeRunRequest('q1', 7)]).toEqual([
      true,
      false,
    ])
    expect(await b.withdrawRunRequest('q1')).toBe(false)
    expect(await b.collectRunAnswer('q1')).toBeUndefined()
    await a.answerRunRequest('q1', { ok: true, value: { id: 'r1' } }, 8)
    expect(await b.collectRunAnswer('q1')).toEqual({ ok: true, value: { id: 'r1' } })
    expect(await b.collectRunAnswer('q1')).toBeUndefined()
    expect(await b.withdrawRunRequest('q2')).toBe(true)
    expect(await a.takeRunRequest('q2', 9)).toBe(false)
    expect(await a.pendingRunRequests('node-a', 10)).toEqual([])
    expect(await b.runOwner('r1')).toEqual({
      status: 'running',
      owner: 'node-a',
      live: true,
      epoch: 1,
      eventSeq: 1,
    })
    expect(await b.runOwner('missing')).toBeUndefined()
  })
})
