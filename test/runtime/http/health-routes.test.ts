/**
 * `/health` and `/health/ready` through `app.request()` over a whole engine on
 * a real libSQL file that fills up (`PRAGMA max_page_count`: SQLITE_FULL): a
 * start answers 503 `storage_unavailable` with Retry-After and stores nothing,
 * liveness stays 200 and says storage is unavailable, readiness answers 503;
 * when space returns, the run that was in flight completes by itself (no
 * restart) and readiness is 200 again — on a quiet server too, by its probe.
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
import { Scheduler } from '../../../runtime/schedules/scheduler.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { LibsqlStore } from '../../../runtime/store/index.js'
import { testSecretKey } from '../../fixtures/app-harness.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { untilStatus } from '../../fixtures/run-status.js'
import { fillDatabase, unfillDatabase } from '../store/fill-database.js'

const full = 'the database cannot be written: it is full (SQLITE_FULL); retry later'

/** Fails its first attempt and retries in 300 ms; its output carries the input's padding. */
const padded = {
  name: 'padded',
  input: {
    type: 'object',
    required: ['n', 'pad'],
    properties: { n: { type: 'integer', minimum: 0, maximum: 1000 }, pad: { type: 'string' } },
  },
  steps: [
    {
      id: 'first',
      task: 'fail-below',
      input: { attempt: '${run.attempt}', until: 2 },
      retry: { initialIntervalMs: 300, maximumAttempts: 2 },
    },
    { id: 'second', task: 'inc', input: { n: '${input.n}' } },
  ],
  output: { n: '${steps.second.output}', pad: '${input.pad}' },
}

/** 20 KB: a run holding it needs new pages, which a full database does not have. */
const pad = 'p'.repeat(20_000)

let pool: WorkerPool
let store: LibsqlStore
let engine: Engine
let app: ReturnType<typeof createApp>
let operator: string
const logs: { fields: Record<string, unknown>; message: string }[] = []

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
  const dir = mkdtempSync(join(tmpdir(), 'weir-health-'))
  store = await LibsqlStore.open({ url: `file:${join(dir, 'weir.db')}` })
  const catalog = new Catalog(store, cache)
  const logger = {
    info: (fields: Record<string, unknown>, message: string) => logs.push({ fields, message }),
    error: (fields: Record<string, unknown>, message: string) => logs.push({ fields, message }),
  }
  engine = new Engine({ store, executor: pool, catalog, logger })
  await publishEngineTasks(catalog)
  await catalog.publishFlow(padded)
  const apiKeys = new ApiKeys(store)
  operator = (await apiKeys.create('operator key', 'operator')).key
  const scheduler = new Scheduler({ store, engine, clock: systemClock })
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
  await engine.stop()
  await store.close()
  await pool.close()
})

const start = (input: unknown) =>
  app.request('/v1/flows/padded/runs', {
    method: 'POST',
    headers: { authorization: `Bearer ${operator}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  })

const get = async (path: string) => {
  const response = await app.request(path)
  return { response, body: (await response.json()) as Record<string, unknown> }
}

async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await condition()) return
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`timed out waiting for ${what}`)
}

describe('health and readiness', () => {
  test('both answer 200 and storage ok while storage works', async () => {
    const health = await get('/health')
    expect([health.response.status, health.body]).toEqual([
      200,
      { status: 'ok', version: '9.9.9', storage: 'ok' },
    ])
    const ready = await get('/health/ready')
    expect([ready.response.status, ready.body]).toEqual([200, { status: 'ready', storage: 'ok' }])
  })

  test('a full disk: 503 storage_unavailable with Retry-After; the run in flight completes by itself when space returns', async () => {
    const started = await start({ n: 41, pad })
    expect(started.status).toBe(201)
    const { id } = (await started.json()) as { id: string }
    await untilStatus(store, id, 'waiting') // its first attempt failed; the retry is 300 ms away
    await fillDatabase(store.client)

    const refused = await start({ n: 1, pad })
    expect(refused.status).toBe(503)
    expect(refused.headers.get('content-type')).toBe('application/problem+json')
    expect(refused.headers.get('retry-after')).toMatch(/^[1-9]\d*$/)
    expect(await refused.json()).toEqual({
      type: 'https://weir.dev/problems/storage-unavailable',
      title: 'Storage unavailable',
      status: 503,
      detail: full,
      code: 'storage_unavailable',
    })
    const stored = await store.client.execute("SELECT id FROM runs WHERE flow_name = 'padded'")
    expect(stored.rows.map((r) => r.id)).toEqual([id])

    const health = await get('/health')
    expect([health.response.status, health.body]).toEqual([
      200,
      { status: 'ok', version: '9.9.9', storage: 'unavailable' },
    ])
    const ready = await get('/health/ready')
    expect(ready.response.status).toBe(503)
    expect(ready.response.headers.get('retry-after')).toMatch(/^[1-9]\d*$/)
    expect(ready.body).toMatchObject({ code: 'storage_unavailable', detail: full })

    // The retry ran; its run cannot commit what follows and keeps trying, acknowledged nowhere.
    await until(
      () => logs.some((l) => l.message.startsWith('storage refused') && l.fields.run === id),
      'the refused commit',
    )
    expect((await store.getRun(id))?.status).not.toBe('completed')
    expect(engine.activeRun(id)?.status).not.toBe('completed')

    await unfillDatabase(store.client)
    const done = await untilStatus(store, id, 'completed')
    expect(done.output).toEqual({ n: 42, pad })
    const again = await get('/health/ready')
    expect([again.response.status, again.body]).toEqual([200, { status: 'ready', storage: 'ok' }])
    expect((await get('/health')).body).toEqual({ status: 'ok', version: '9.9.9', storage: 'ok' })
    const events = (await store.listEvents(id)).items.map((e) => `${e.type}:${e.stepId ?? ''}`)
    expect(events).toEqual([
      'run_started:',
      'step_started:first',
      'step_failed:first',
      'retry_scheduled:first',
      'step_started:first',
      'step_succeeded:first',
      'step_started:second',
      'step_succeeded:second',
      'run_completed:',
    ])
  })

  test('on a quiet server, readiness comes back by its probe once space returns', async () => {
    await fillDatabase(store.client)
    expect((await start({ n: 1, pad })).status).toBe(503)
    expect((await get('/health/ready')).response.status).toBe(503)
    await unfillDatabase(store.client)
    await until(async () => (await get('/health/ready')).response.status === 200, 'readiness')
    expect((await get('/health')).body).toMatchObject({ storage: 'ok' })
  })

  test('while the server stops, liveness is 200 and readiness 503 unavailable', async () => {
    await engine.stop()
    const health = await get('/health')
    expect([health.response.status, health.body]).toEqual([
      200,
      { status: 'stopping', version: '9.9.9', storage: 'ok' },
    ])
    const ready = await get('/health/ready')
    expect([ready.response.status, ready.body.code, ready.body.detail]).toEqual([
      503,
      'unavailable',
      'the server is stopping and takes no new runs',
    ])
  })
})
