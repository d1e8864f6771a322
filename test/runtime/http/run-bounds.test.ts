/**
 * The engine's bounds over HTTP: a start when weir holds its limit of active
 * runs, or a `?wait` start beyond the limit of waiting callers, is 503 with
 * Retry-After and starts nothing; below the limits runs start, and the limits
 * free up as runs finish.
 */

import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Catalog } from '../../../runtime/catalog/catalog.js'
import { systemClock } from '../../../runtime/engine/clock.js'
import { Engine } from '../../../runtime/engine/engine.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { ApiKeys } from '../../../runtime/http/api-keys.js'
import { createApp } from '../../../runtime/http/app.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { Scheduler } from '../../../runtime/schedules/scheduler.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { LibsqlStore } from '../../../runtime/store/index.js'
import { testSecretKey } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let store: LibsqlStore
let engine: Engine
let scheduler: Scheduler
let app: ReturnType<typeof createApp>
let key: string

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  const dir = mkdtempSync(join(tmpdir(), 'weir-bounds-'))
  store = await LibsqlStore.open({ url: `file:${join(dir, 'weir.db')}` })
  const catalog = new Catalog(store, cache)
  engine = new Engine({
    store,
    executor: pool,
    catalog,
    limits: { maxActiveRuns: 3, maxWaiters: 2 },
  })
  await catalog.publishFlow({ name: 'signalled', steps: [{ id: 'wait', waitFor: 'go' }] })
  const apiKeys = new ApiKeys(store)
  key = (await apiKeys.create('operator key', 'operator')).key
  scheduler = new Scheduler({ store, engine, clock: systemClock })
  app = createApp({
    store,
    catalog,
    engine,
    apiKeys,
    scheduler,
    secrets: await Secrets.open(store, testSecretKey),
    version: '9.9.9',
  })
})

afterAll(async () => {
  scheduler.stop()
  await engine.stop()
  await store.close()
  await pool.close()
})

const call = (method: string, path: string, body?: string) =>
  app.request(path, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body }),
  })
const start = (query = '') => call('POST', `/v1/flows/signalled/runs${query}`, '{}')
const release = async (id: string) => {
  expect((await call('POST', `/v1/runs/${id}/events/go`, '{}')).status).toBe(200)
}
const stored = async () => (await store.listRuns({ flow: 'signalled', limit: 500 })).items
const waitingIds = async () =>
  (await stored()).filter((r) => r.status === 'waiting').map((r) => r.id)

async function finished(id: string): Promise<void> {
  expect((await engine.waitForRun(id, 5000))?.status).toBe('completed')
}

/** Finishes every run not yet finished, so each test starts with none in memory. */
async function releaseAll(): Promise<void> {
  for (const run of await stored()) {
    if (run.status === 'completed') continue
    await untilWaiting(run.id)
    await release(run.id)
    await finished(run.id)
  }
}

async function untilWaiting(id: string): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if ((await store.getRun(id))?.status === 'waiting') return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`run ${id} did not wait`)
}

async function expectRefused(response: Response, detail: string): Promise<void> {
  expect(response.status).toBe(503)
  expect(response.headers.get('retry-after')).toBe('1')
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  expect(await response.json()).toEqual({
    type: 'https://weir.dev/problems/unavailable',
    title: 'Unavailable',
    status: 503,
    detail,
    code: 'unavailable',
  })
}

const activeRunsFull = 'weir holds 3 active runs, its limit (WEIR_MAX_ACTIVE_RUNS); retry later'
const waitersFull =
  'weir has 2 callers waiting for runs, its limit (WEIR_MAX_WAITERS); retry later, or start without ?wait'

describe('maxActiveRuns', () => {
  test('runs below the limit start; the next start is 503 and stores nothing; a finished run frees a place', async () => {
    const runs: RunResource[] = []
    for (let i = 0; i < 3; i++) {
      const response = await start()
      expect(response.status).toBe(201)
      runs.push((await response.json()) as RunResource)
    }
    await expectRefused(await start(), activeRunsFull)
    expect((await stored()).length).toBe(3)
    const first = runs[0] as RunResource
    await untilWaiting(first.id)
    await release(first.id)
    await finished(first.id)
    expect((await start()).status).toBe(201)
    await expectRefused(await start(), activeRunsFull)
    await releaseAll()
  })

  test('of ten starts at once with three places, exactly three start', async () => {
    const before = (await stored()).length
    const responses = await Promise.all(Array.from({ length: 10 }, () => start()))
    const statuses = responses.map((r) => r.status).sort((a, b) => a - b)
    expect(statuses).toEqual([201, 201, 201, 503, 503, 503, 503, 503, 503, 503])
    for (const response of responses.filter((r) => r.status === 503))
      await expectRefused(response, activeRunsFull)
    expect((await stored()).length).toBe(before + 3)
    await releaseAll()
  })
})

describe('maxWaiters', () => {
  test('a ?wait start beyond the waiting callers is 503 before its run starts; a place frees when a wait ends', async () => {
    const before = (await stored()).length
    const waiting = [start('?wait=60000'), start('?wait=60000')]
    for (let i = 0; i < 500 && (await waitingIds()).length < 2; i++)
      await new Promise((r) => setTimeout(r, 10))
    const ids = await waitingIds()
    expect(ids.length).toBe(2)
    await expectRefused(await start('?wait=60000'), waitersFull)
    expect((await stored()).length).toBe(before + 2)
    // Without ?wait a start takes no waiter's place.
    const unwaited = await start()
    expect(unwaited.status).toBe(201)
    for (const id of ids) await release(id)
    const answered = await Promise.all(waiting)
    expect(answered.map((r) => r.status)).toEqual([200, 200])
    expect(
      ((await Promise.all(answered.map((r) => r.json()))) as RunResource[]).map((r) => r.status),
    ).toEqual(['completed', 'completed'])
    const again = await start('?wait=0')
    expect(again.status).toBe(202)
    expect(['running', 'waiting']).toContain(((await again.json()) as RunResource).status)
    await releaseAll()
  })
})

test('a stopping engine answers 503 with Retry-After too', async () => {
  await engine.stop()
  await expectRefused(await start(), 'the server is stopping and takes no new runs')
})
