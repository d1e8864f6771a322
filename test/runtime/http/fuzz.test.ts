/**
 * A bounded, seeded fuzz of every door a user controls: flow documents
 * (checked and published, and their runs started), run inputs, event payloads
 * and callback bodies. No answer may be a 5xx, no request may stall the
 * server, and an ordinary run still completes afterwards. A longer run lives
 * in bench/ (`npm run bench -- fuzz`).
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { prepareFuzz, runFuzz } from '../../fixtures/fuzz-run.js'

let pool: WorkerPool
let h: AppHarness

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
  h = await appHarness(pool, cache)
  await prepareFuzz(h)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

test('seeded hostile input: no 5xx, no stall, and ordinary runs still complete', async () => {
  const answers = await runFuzz(h, 20261130, 1)
  expect(answers.length).toBeGreaterThan(250)
  expect(answers.filter((a) => a.status >= 500)).toEqual([])
  const slowest = answers.reduce((a, b) => (b.ms > a.ms ? b : a))
  expect(slowest.ms).toBeLessThan(3000)
  const health = performance.now()
  expect((await h.call('GET', '/health', { role: 'none' })).status).toBe(200)
  expect(performance.now() - health).toBeLessThan(1000)
  const ordinary = await h.call('POST', '/v1/flows/add-two/runs?wait=5000', { json: { n: 1 } })
  expect(ordinary.status).toBe(200)
  expect(await ordinary.json()).toMatchObject({ status: 'completed', output: { n: 3 } })
}, 60_000)
