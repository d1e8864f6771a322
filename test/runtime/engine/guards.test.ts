/** Trigger guards: a `when` over the start's input decides; a refusal is recorded with its reason, and no run exists. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: Harness

const guarded = {
  name: 'guarded',
  input: {
    type: 'object',
    required: ['amount'],
    properties: { amount: { type: 'integer', minimum: 0, maximum: 1_000_000 } },
  },
  triggers: [
    { cron: '0 * * * *', input: { amount: 0 }, when: 'input.amount > 0' },
    { http: true, when: '100 / input.amount >= 1' },
  ],
  steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
}

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await harness(pool, cache)
  await publishEngineTasks(h.catalog)
  await h.catalog.publishFlow(guarded)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

test("the http trigger's guard lets a start through when it is true", async () => {
  const start = await h.engine.startGuarded('guarded', { amount: 50 }, 'http')
  expect(start.started).toBe(true)
  if (start.started)
    expect((await h.engine.waitForRun(start.run.id, 5000))?.status).toBe('completed')
})

test('a false guard, or one that cannot be evaluated, refuses the start with the reason and records it', async () => {
  const before = (await h.store.listRuns({ flow: 'guarded' })).items.length
  const tooMuch = await h.engine.startGuarded('guarded', { amount: 500 }, 'http')
  expect(tooMuch).toMatchObject({
    started: false,
    refused: {
      flow: { name: 'guarded', version: 1 },
      trigger: '/triggers/1',
      input: { amount: 500 },
      reason: 'the guard at /triggers/1/when ("100 / input.amount >= 1") is false',
      code: 'guard_false',
    },
  })
  const zero = await h.engine.startGuarded('guarded', { amount: 0 }, 'http')
  expect(zero.started ? '' : zero.refused.code).toBe('guard_error')
  expect(zero.started ? '' : zero.refused.reason).toMatch(
    /^the guard at \/triggers\/1\/when \("100 \/ input.amount >= 1"\) cannot be evaluated: .*division by zero/,
  )
  const cron = await h.engine.startGuarded('guarded', { amount: 0 }, 0)
  expect(cron.started ? '' : cron.refused.reason).toBe(
    'the guard at /triggers/0/when ("input.amount > 0") is false',
  )
  expect((await h.store.listRuns({ flow: 'guarded' })).items.length).toBe(before)
  const recorded = await h.store.listRefusedStarts('guarded')
  expect(recorded.map((r) => [r.trigger, r.input])).toEqual([
    ['/triggers/0', { amount: 0 }],
    ['/triggers/1', { amount: 0 }],
    ['/triggers/1', { amount: 500 }],
  ])
})

test('the input is checked before the guard', async () => {
  await expect(h.engine.startGuarded('guarded', { amount: -1 }, 'http')).rejects.toMatchObject({
    code: 'invalid_document',
    problems: [{ pointer: '/amount' }],
  })
})
