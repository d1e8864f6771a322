/**
 * A callback token is the only credential of an async step: the steps answer
 * shows it (and the URL that carries it) to admin and operator keys only, and
 * neither the request log nor the error log ever holds its secret.
 */
import pino from 'pino'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { maskPath } from '../../../runtime/http/app.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { engineTasksComponent } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness
const lines: Record<string, unknown>[] = []

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  const logger = pino(
    { level: 'debug' },
    { write: (line: string) => void lines.push(JSON.parse(line)) },
  )
  h = await appHarness(pool, cache, { logger })
  await h.catalog.publishTask(
    { name: 'ask', export: 'inc', mode: 'async', output: {} },
    await engineTasksComponent(),
  )
  await h.catalog.publishFlow({
    name: 'asking',
    steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }],
  })
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

async function waitingRun(): Promise<RunResource> {
  const response = await h.call('POST', '/v1/flows/asking/runs', { role: 'operator', json: {} })
  const run = (await response.json()) as RunResource
  for (let i = 0; i < 500; i++) {
    const now = (await (await h.call('GET', `/v1/runs/${run.id}`)).json()) as RunResource
    if (now.status === 'waiting') return now
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error(`run ${run.id} did not wait`)
}

type Steps = {
  items: { stepId: string; callback?: { token: string | null; url: string | null } }[]
}

const stepsAs = async (role: 'admin' | 'operator' | 'publisher' | 'viewer', id: string) =>
  (await (await h.call('GET', `/v1/runs/${id}/steps`, { role })).json()) as Steps

describe('GET /v1/runs/{id}/steps', () => {
  test.each([['admin'], ['operator']] as const)(
    'an %s key gets the token and the URL that carries it',
    async (role) => {
      const run = await waitingRun()
      const callback = (await stepsAs(role, run.id)).items[0]?.callback
      const token = callback?.token ?? ''
      expect(token).toMatch(new RegExp(`^${run.id}\\.1\\.[A-Za-z0-9_-]{32}$`))
      expect(callback).toEqual({ token, url: `http://localhost/v1/callbacks/${token}` })
    },
  )

  test.each([['publisher'], ['viewer']] as const)(
    'a %s key sees that the step waits for a callback, without token or URL',
    async (role) => {
      const run = await waitingRun()
      const steps = await stepsAs(role, run.id)
      expect(steps.items.map((s) => [s.stepId, s.callback])).toEqual([
        ['ask', { token: null, url: null }],
      ])
      expect(JSON.stringify(steps)).not.toMatch(new RegExp(`${run.id}\\.1\\.`))
    },
  )
})

describe('logs', () => {
  test.each([
    [
      '/v1/callbacks/01M84FFW63T2XY4C5YA44TGYA5.1.Iz4r_9itxfbBN97Nq7Rmz6codg6TKW2l',
      '/v1/callbacks/01M84FFW63T2XY4C5YA44TGYA5.1.***',
    ],
    ['/v1/callbacks/nothing', '/v1/callbacks/***'],
    [
      '/v1/callbacks/01M84FFW63T2XY4C5YA44TGYA5.1.x/more',
      '/v1/callbacks/01M84FFW63T2XY4C5YA44TGYA5.1.***/more',
    ],
    ['/v1/callbacks/', '/v1/callbacks/***'],
    ['/v1/runs/01M84FFW63T2XY4C5YA44TGYA5/steps', '/v1/runs/01M84FFW63T2XY4C5YA44TGYA5/steps'],
  ])('maskPath(%s) is %s', (path, masked) => {
    expect(maskPath(path)).toBe(masked)
  })

  test('the debug request line of a callback holds its run and step, not its secret', async () => {
    const run = await waitingRun()
    const token = (await stepsAs('admin', run.id)).items[0]?.callback?.token ?? ''
    const secret = token.split('.')[2] ?? ''
    const from = lines.length
    const alive = await h.app.request(`/v1/callbacks/${token}`, {
      method: 'POST',
      body: '{"status": "heartbeat"}',
    })
    expect(alive.status).toBe(200)
    const logged = lines.slice(from)
    expect(logged.map((l) => [l.level, l.msg, l.method, l.path, l.status])).toEqual([
      [20, 'request', 'POST', `/v1/callbacks/${run.id}.1.***`, 200],
    ])
    expect(JSON.stringify(lines)).not.toContain(secret)
  })

  test('the error log of a callback that fails inside (500) holds no secret either', async () => {
    const run = await waitingRun()
    const token = (await stepsAs('admin', run.id)).items[0]?.callback?.token ?? ''
    const secret = token.split('.')[2] ?? ''
    const from = lines.length
    // The database going away is an internal fault: the callback's commit throws.
    await h.store.close()
    const failed = await h.app.request(`/v1/callbacks/${token}`, {
      method: 'POST',
      body: '{"status": "heartbeat"}',
    })
    expect([failed.status, ((await failed.json()) as { code: string }).code]).toEqual([
      500,
      'internal',
    ])
    const logged = lines.slice(from)
    // The audit entry cannot be written either: it is logged, with the run but not the token.
    expect(logged.map((l) => [l.level, l.msg, l.path])).toEqual([
      [50, 'request failed', `/v1/callbacks/${run.id}.1.***`],
      [50, 'audit entry not written', undefined],
      [20, 'request', `/v1/callbacks/${run.id}.1.***`],
    ])
    expect(logged[1]?.audit).toMatchObject({
      action: 'callback.heartbeat',
      target: `run:${run.id}`,
    })
    expect(logged[0]?.err).toMatchObject({
      type: 'WeirError',
      code: 'internal',
      message: 'the database is closed',
    })
    expect(JSON.stringify(lines)).not.toContain(secret)
  })
})
