/** `/v1/schedules` over HTTP: create, list, read, pause, change, delete, and each refusal with its pointer. */
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
  await h.catalog.publishFlow({
    ...addTwo,
    name: 'nightly',
    triggers: [{ cron: '0 3 * * *', input: { n: 1 } }],
  })
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

type Schedule = Record<string, unknown> & { id: string }
const body = async (response: Response) =>
  (await response.json()) as Schedule & { detail: string; errors: { pointer: string }[] }

test('a schedule is created with its next fire time, listed, read, paused, changed and deleted', async () => {
  const created = await h.call('POST', '/v1/schedules', {
    role: 'operator',
    json: { flow: 'add-two', cron: '30 8 * * 1-5', timezone: 'Europe/Berlin', input: { n: 3 } },
  })
  expect(created.status).toBe(201)
  const schedule = await body(created)
  expect(schedule).toMatchObject({
    flow: 'add-two',
    source: 'api',
    trigger: null,
    cron: '30 8 * * 1-5',
    timezone: 'Europe/Berlin',
    input: { n: 3 },
    paused: false,
    lastFireAt: null,
  })
  expect(Date.parse(String(schedule.nextFireAt))).toBeGreaterThan(Date.now())
  const listed = (await (
    await h.call('GET', '/v1/schedules?flow=add-two', { role: 'viewer' })
  ).json()) as { items: Schedule[] }
  expect(listed.items.map((s) => s.id)).toEqual([schedule.id])
  expect((await h.call('GET', `/v1/schedules/${schedule.id}`, { role: 'viewer' })).status).toBe(200)
  const paused = await body(
    await h.call('PUT', `/v1/schedules/${schedule.id}`, {
      role: 'operator',
      json: { paused: true },
    }),
  )
  // Paused, it fires at no time; resumed, it has its next tick again.
  expect([paused.paused, paused.nextFireAt]).toEqual([true, null])
  const resumed = await body(
    await h.call('PUT', `/v1/schedules/${schedule.id}`, {
      role: 'operator',
      json: { paused: false },
    }),
  )
  expect([resumed.paused, typeof resumed.nextFireAt]).toEqual([false, 'string'])
  await h.call('PUT', `/v1/schedules/${schedule.id}`, { role: 'operator', json: { paused: true } })
  const changed = await body(
    await h.call('PUT', `/v1/schedules/${schedule.id}`, {
      json: { cron: '0 12 * * *', input: { n: 4 } },
    }),
  )
  expect([changed.cron, changed.input, changed.paused]).toEqual(['0 12 * * *', { n: 4 }, true])
  expect(
    (await h.call('DELETE', `/v1/schedules/${schedule.id}`, { role: 'operator' })).status,
  ).toBe(204)
  expect((await h.call('GET', `/v1/schedules/${schedule.id}`)).status).toBe(404)
})

test('a bad cron, time zone or input is 422 with its pointer; an unknown flow is 404', async () => {
  const post = (json: unknown) => h.call('POST', '/v1/schedules', { json })
  const cron = await post({ flow: 'add-two', cron: '0 25 * * *', input: { n: 1 } })
  expect([cron.status, (await body(cron)).errors.map((e) => e.pointer)]).toEqual([422, ['/cron']])
  const zone = await post({
    flow: 'add-two',
    cron: '0 1 * * *',
    timezone: 'Mars/Olympus',
    input: { n: 1 },
  })
  expect((await body(zone)).errors.map((e) => e.pointer)).toEqual(['/timezone'])
  const input = await post({ flow: 'add-two', cron: '0 1 * * *', input: { n: -1 } })
  const problem = await body(input)
  expect([input.status, problem.errors.map((e) => e.pointer)]).toEqual([422, ['/input/n']])
  const unknown = await post({ flow: 'nope', cron: '0 1 * * *' })
  expect([unknown.status, (await body(unknown)).detail]).toEqual([
    404,
    'flow "nope" is not published',
  ])
})

test("a flow's trigger schedule can be paused, not changed or deleted", async () => {
  const id = 'flow:nightly:0'
  const listed = (await (await h.call('GET', '/v1/schedules?flow=nightly')).json()) as {
    items: Schedule[]
  }
  expect(listed.items.map((s) => [s.id, s.source, s.trigger])).toEqual([
    [id, 'flow', '/triggers/0'],
  ])
  expect(
    (await body(await h.call('PUT', `/v1/schedules/${id}`, { json: { paused: true } }))).paused,
  ).toBe(true)
  const change = await h.call('PUT', `/v1/schedules/${id}`, { json: { cron: '* * * * *' } })
  expect([change.status, (await body(change)).detail]).toEqual([
    409,
    `schedule ${id} comes from flow "nightly"'s /triggers/0; publish a new version of the flow to change it (it can be paused)`,
  ])
  const remove = await h.call('DELETE', `/v1/schedules/${id}`)
  expect([remove.status, (await body(remove)).detail]).toEqual([
    409,
    `schedule ${id} comes from flow "nightly"'s /triggers/0; publish a version without it, or pause it`,
  ])
})
