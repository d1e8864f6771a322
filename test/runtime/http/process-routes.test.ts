/** `GET /v1/processes` and the process filter of `GET /v1/flows` and `GET /v1/runs` over HTTP: sub-processes on `/` boundaries. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { type AppHarness, addTwo, appHarness } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await appHarness(pool, cache)
  for (const [name, process] of [
    ['pay', 'billing'],
    ['refund', 'billing/eu'],
    ['other', 'billing-eu'],
  ] as const)
    await h.catalog.publishFlow({ ...addTwo, name, process })
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

const items = async (path: string) =>
  (
    (await (await h.call('GET', path, { role: 'viewer' })).json()) as {
      items: Record<string, unknown>[]
    }
  ).items

test('processes are listed with their flow counts; a process filter takes in its sub-processes', async () => {
  expect(await items('/v1/processes')).toEqual([
    { process: 'billing', flows: 1 },
    { process: 'billing-eu', flows: 1 },
    { process: 'billing/eu', flows: 1 },
    { process: 'math', flows: 1 },
  ])
  expect((await items('/v1/flows?process=billing')).map((f) => f.name)).toEqual(['pay', 'refund'])
  await h.engine.startRun('refund', { n: 1 })
  await h.engine.startRun('other', { n: 1 })
  expect((await items('/v1/runs?process=billing')).map((r) => r.flow)).toEqual([
    { name: 'refund', version: 1 },
  ])
})
