/**
 * Concurrency limits: extra runs of a limited flow wait in `queued` and start
 * oldest first as others finish; the limit holds under 50 concurrent starts,
 * across cancels, and across a restart.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { RunRecord } from '../../../runtime/store/records.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let cache: ComponentCache
let pool: WorkerPool

beforeAll(async () => {
  cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
})

afterAll(async () => {
  await pool.close()
})

const limited = {
  name: 'limited',
  concurrency: { limit: 3 },
  steps: [
    { id: 'w', waitFor: 'go' },
    { id: 'after', task: 'inc', input: { n: 1 } },
  ],
}

async function setUp(dir?: string): Promise<Harness> {
  const h = await harness(pool, cache, dir ? { dir } : {})
  if (!dir) {
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow(limited)
  }
  return h
}

const settle = () => new Promise((r) => setTimeout(r, 30))

async function byStatus(h: Harness): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  const page = await h.store.listRuns({ flow: 'limited', limit: 500 })
  for (const run of [...page.items].reverse())
    out[run.status] = [...(out[run.status] ?? []), run.id]
  return out
}

test('50 concurrent starts: 3 go, 47 queue, and they start oldest first as others finish', async () => {
  const h = await setUp()
  const started = await Promise.all(
    Array.from({ length: 50 }, () => h.engine.startRun('limited', {})),
  )
  const ids = started.map((s) => s.run.id).sort()
  await settle()
  let runs = await byStatus(h)
  expect(runs.waiting).toEqual(ids.slice(0, 3))
  expect(runs.queued).toEqual(ids.slice(3))
  expect((await h.store.listEvents(ids[3] as string)).items.map((e) => e.type)).toEqual([
    'run_queued',
  ])
  await expect(h.engine.pause(ids[3] as string)).rejects.toThrow(
    `run ${ids[3]} is queued for a concurrency slot; it can be cancelled, not paused`,
  )
  expect((await h.engine.cancel(ids[4] as string)).status).toBe('cancelled')
  const order: string[] = []
  const going = () => [runs.waiting, runs.running, runs.queued].some((list) => list?.length)
  for (let round = 0; round < 100 && going(); round++) {
    for (const id of runs.waiting ?? []) await h.engine.deliverEvent(id, 'go', null)
    await settle()
    runs = await byStatus(h)
    expect((runs.waiting?.length ?? 0) + (runs.running?.length ?? 0)).toBeLessThanOrEqual(3)
    order.push(...(runs.waiting ?? []).filter((id) => !order.includes(id)))
  }
  expect(runs.completed?.length).toBe(49)
  expect(runs.cancelled).toEqual([ids[4]])
  expect(order).toEqual(ids.slice(3).filter((id) => id !== ids[4]))
  const events = (await h.store.listEvents(ids[5] as string)).items.map((e) => e.type)
  expect(events.slice(0, 3)).toEqual(['run_queued', 'run_started', 'step_started'])
  await h.close()
})

test('queued runs stay queued across a restart and start in order afterwards', async () => {
  const first = await setUp()
  const runs: RunRecord[] = []
  for (let i = 0; i < 5; i++) runs.push((await first.engine.startRun('limited', {})).run)
  await settle()
  await first.close()
  const second = await setUp(first.dir)
  expect(await second.engine.recover()).toBe(5)
  await settle()
  const ids = runs.map((r) => r.id)
  expect(await byStatus(second)).toEqual({ waiting: ids.slice(0, 3), queued: ids.slice(3) })
  await second.engine.deliverEvent(ids[0] as string, 'go', null)
  await settle()
  expect(await byStatus(second)).toEqual({
    completed: [ids[0]],
    waiting: ids.slice(1, 4),
    queued: [ids[4]],
  })
  await second.close()
})
