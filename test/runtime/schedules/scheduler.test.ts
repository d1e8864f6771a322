/**
 * The scheduler with a manual clock on real stores: cron ticks start runs with
 * the trigger's input, a guard can refuse a tick, missed ticks after downtime
 * fire once, two schedulers on one database start each tick once, and flow
 * publishes keep the trigger schedules in step.
 */
import { afterAll, beforeAll, expect, test } from 'vitest'
import type { ComponentCache } from '../../../runtime/components/component-cache.js'
import { ManualClock } from '../../../runtime/engine/clock.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { Scheduler } from '../../../runtime/schedules/scheduler.js'
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

const minute = 60_000
const t0 = Date.parse('2026-01-01T00:02:00Z')

const ticking = {
  name: 'ticking',
  input: {
    type: 'object',
    required: ['n'],
    properties: { n: { type: 'integer', minimum: 0, maximum: 100 } },
  },
  triggers: [
    { cron: '*/5 * * * *', input: { n: 1 } },
    { cron: '0 9 * * *', timezone: 'Europe/Berlin', input: { n: 2 }, when: 'input.n > 5' },
  ],
  steps: [{ id: 'a', task: 'inc', input: { n: '${input.n}' } }],
}

async function setUp(clock: ManualClock, dir?: string) {
  const h = await harness(pool, cache, { clock, ...(dir ? { dir } : {}) })
  // No polling: with a manual clock the timer is then always the next tick.
  const scheduler = new Scheduler({
    store: h.store,
    engine: h.engine,
    clock,
    pollMs: 7 * 86_400_000,
  })
  h.catalog.onFlowPublished((record) => scheduler.syncFlow(record))
  if (!dir) {
    await publishEngineTasks(h.catalog)
    await h.catalog.publishFlow(ticking)
  }
  return { h, scheduler }
}

const settle = () => new Promise((r) => setTimeout(r, 40))
const runs = async (h: Harness) =>
  (await h.store.listRuns({ flow: 'ticking', limit: 500 })).items.reverse()

async function close(h: Harness, scheduler: Scheduler) {
  scheduler.stop()
  await h.close()
}

test("a flow's cron triggers become schedules; a tick starts a run with the trigger's input", async () => {
  const clock = new ManualClock(t0)
  const { h, scheduler } = await setUp(clock)
  const schedules = await h.store.listSchedules('ticking')
  expect(schedules.map((s) => [s.id, s.source, s.trigger, s.timezone, s.nextFireAt])).toEqual([
    ['flow:ticking:0', 'flow', 0, 'UTC', Date.parse('2026-01-01T00:05:00Z')],
    ['flow:ticking:1', 'flow', 1, 'Europe/Berlin', Date.parse('2026-01-01T08:00:00Z')],
  ])
  await scheduler.start()
  clock.advance(3 * minute)
  await settle()
  const [run] = await runs(h)
  expect([run?.input, run?.idempotencyKey]).toEqual([
    { n: 1 },
    `schedule:flow:ticking:0:${t0 + 3 * minute}`,
  ])
  expect((await h.store.getSchedule('flow:ticking:0'))?.nextFireAt).toBe(t0 + 8 * minute)
  clock.advance(5 * minute)
  await settle()
  expect((await runs(h)).length).toBe(2)
  await close(h, scheduler)
})

test('a guard that refuses a tick records the refusal and starts nothing', async () => {
  const clock = new ManualClock(Date.parse('2026-01-01T07:59:00Z'))
  const { h, scheduler } = await setUp(clock)
  await scheduler.start()
  clock.advance(minute)
  await settle()
  const refused = await h.store.listRefusedStarts('ticking')
  expect(refused.map((r) => [r.trigger, r.reason])).toEqual([
    ['/triggers/1', 'the guard at /triggers/1/when ("input.n > 5") is false'],
  ])
  expect((await h.store.getSchedule('flow:ticking:1'))?.nextFireAt).toBe(
    Date.parse('2026-01-02T08:00:00Z'),
  )
  await close(h, scheduler)
})

test('after downtime a schedule fires once for the missed period, then continues from now', async () => {
  const clock = new ManualClock(t0)
  const first = await setUp(clock)
  await first.scheduler.start()
  await close(first.h, first.scheduler)
  clock.advance(62 * minute)
  const second = await setUp(clock, first.h.dir)
  await second.scheduler.start()
  await settle()
  const started = await runs(second.h)
  expect(started.map((r) => r.idempotencyKey)).toEqual([
    `schedule:flow:ticking:0:${Date.parse('2026-01-01T00:05:00Z')}`,
  ])
  expect((await second.h.store.getSchedule('flow:ticking:0'))?.nextFireAt).toBe(
    Date.parse('2026-01-01T01:05:00Z'),
  )
  await close(second.h, second.scheduler)
})

test('two schedulers on one database start each tick once', async () => {
  const clock = new ManualClock(t0)
  const a = await setUp(clock)
  const b = await setUp(clock, a.h.dir)
  await Promise.all([a.scheduler.start(), b.scheduler.start()])
  for (let i = 0; i < 3; i++) {
    clock.advance(5 * minute)
    await Promise.all([a.scheduler.tick(), b.scheduler.tick()])
  }
  await settle()
  const keys = (await runs(a.h)).map((r) => r.idempotencyKey)
  expect(keys).toEqual(
    [5, 10, 15].map(
      (m) => `schedule:flow:ticking:0:${Date.parse('2026-01-01T00:00:00Z') + m * minute}`,
    ),
  )
  await close(a.h, a.scheduler)
  await close(b.h, b.scheduler)
})

test('publishing a new version keeps unchanged schedules (and their pause), replaces changed ones, drops removed ones', async () => {
  const clock = new ManualClock(t0)
  const { h, scheduler } = await setUp(clock)
  await scheduler.update('flow:ticking:0', { paused: true })
  await expect(scheduler.update('flow:ticking:0', { cron: '* * * * *' })).rejects.toThrow(
    `schedule flow:ticking:0 comes from flow "ticking"'s /triggers/0; publish a new version of the flow to change it (it can be paused)`,
  )
  await h.catalog.publishFlow({ ...ticking, triggers: [ticking.triggers[0]], description: 'v2' })
  const schedules = await h.store.listSchedules('ticking')
  expect(schedules.map((s) => [s.id, s.paused])).toEqual([['flow:ticking:0', true]])
  await expect(
    h.catalog.publishFlow({ ...ticking, triggers: [{ cron: '61 * * * *', input: { n: 1 } }] }),
  ).rejects.toMatchObject({
    code: 'invalid_document',
    problems: [{ pointer: '/triggers/0/cron', message: 'Invalid value for minute: 61' }],
  })
  await expect(
    h.catalog.publishFlow({ ...ticking, triggers: [{ cron: '* * * *', input: { n: 1 } }] }),
  ).rejects.toMatchObject({
    problems: [
      {
        pointer: '/triggers/0/cron',
        message:
          'expected five cron fields (minute hour day-of-month month day-of-week), found 4 in "* * * *"',
      },
    ],
  })
  await close(h, scheduler)
})

test('a tick that storage refuses is logged and fires once writes work again; the process goes on', async () => {
  const clock = new ManualClock(t0)
  const { h, scheduler } = await setUp(clock)
  await scheduler.start()
  await h.store.client.execute('PRAGMA query_only = 1')
  clock.advance(3 * minute)
  await settle()
  expect((await runs(h)).length).toBe(0)
  expect((await h.store.getSchedule('flow:ticking:0'))?.nextFireAt).toBe(t0 + 3 * minute)
  await h.store.client.execute('PRAGMA query_only = 0')
  clock.advance(1000)
  await settle()
  const [run] = await runs(h)
  expect(run?.idempotencyKey).toBe(`schedule:flow:ticking:0:${t0 + 3 * minute}`)
  expect((await h.store.getSchedule('flow:ticking:0'))?.nextFireAt).toBe(t0 + 8 * minute)
  await close(h, scheduler)
})
