/**
 * Authentication and roles on every route of the API, through `app.request()`
 * over a real engine: open routes answer without a key, the others 401
 * without one and 403 to each role below theirs.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { sha256Hex } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { routes } from '../../../runtime/http/routes/index.js'
import type { Role } from '../../../runtime/store/records.js'
import { type AppHarness, addTwo, appHarness } from '../../fixtures/app-harness.js'
import { engineTasksComponent } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness
let component: Uint8Array
let sha: string
let runId: string

const limits = { jsonBytes: 4096, componentBytes: 200_000 }

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 2 })
  h = await appHarness(pool, cache, { limits })
  component = await engineTasksComponent()
  sha = sha256Hex(component)
  const started = await h.call('POST', '/v1/flows/add-two/runs?wait=10000', {
    role: 'operator',
    json: { n: 1 },
  })
  runId = ((await started.json()) as { id: string }).id
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

interface Sample {
  readonly method: string
  readonly path: string
  readonly json?: unknown
  readonly bytes?: Uint8Array
}

/** A well-formed request for each route (by operationId); the auth tests send them with the wrong key. */
const samples = (): Record<string, Sample> => ({
  health: { method: 'GET', path: '/health' },
  ready: { method: 'GET', path: '/health/ready' },
  openApi: { method: 'GET', path: '/openapi.json' },
  putComponent: { method: 'PUT', path: `/v1/components/${sha}`, bytes: component },
  publishTask: {
    method: 'POST',
    path: '/v1/tasks',
    json: { name: 'inc', export: 'inc', component: `sha256:${sha}` },
  },
  listTasks: { method: 'GET', path: '/v1/tasks' },
  getTask: { method: 'GET', path: '/v1/tasks/inc' },
  getTaskVersion: { method: 'GET', path: '/v1/tasks/inc/versions/1' },
  checkFlow: { method: 'POST', path: '/v1/flows/check', json: addTwo },
  publishFlow: { method: 'POST', path: '/v1/flows', json: addTwo },
  listFlows: { method: 'GET', path: '/v1/flows' },
  getFlow: { method: 'GET', path: '/v1/flows/add-two' },
  getFlowVersion: { method: 'GET', path: '/v1/flows/add-two/versions/1' },
  startRun: { method: 'POST', path: '/v1/flows/add-two/runs', json: { n: 1 } },
  listRuns: { method: 'GET', path: '/v1/runs' },
  getRun: { method: 'GET', path: `/v1/runs/${runId}` },
  getRunSteps: { method: 'GET', path: `/v1/runs/${runId}/steps` },
  getRunEvents: { method: 'GET', path: `/v1/runs/${runId}/events` },
  cancelRun: { method: 'POST', path: `/v1/runs/${runId}/cancel` },
  terminateRun: { method: 'POST', path: `/v1/runs/${runId}/terminate` },
  pauseRun: { method: 'POST', path: `/v1/runs/${runId}/pause` },
  resumeRun: { method: 'POST', path: `/v1/runs/${runId}/resume` },
  retryRun: { method: 'POST', path: `/v1/runs/${runId}/retry` },
  callback: {
    method: 'POST',
    path: `/v1/callbacks/${runId}.1.${'a'.repeat(32)}`,
    json: { status: 'heartbeat' },
  },
  deliverRunEvent: { method: 'POST', path: `/v1/runs/${runId}/events/go`, json: {} },
  listSchedules: { method: 'GET', path: '/v1/schedules' },
  createSchedule: {
    method: 'POST',
    path: '/v1/schedules',
    json: { flow: 'add-two', cron: '0 * * * *', input: { n: 1 } },
  },
  getSchedule: { method: 'GET', path: '/v1/schedules/nothing' },
  updateSchedule: { method: 'PUT', path: '/v1/schedules/nothing', json: { paused: true } },
  deleteSchedule: { method: 'DELETE', path: '/v1/schedules/nothing' },
  createKey: { method: 'POST', path: '/v1/keys', json: { name: 'x', role: 'viewer' } },
  listKeys: { method: 'GET', path: '/v1/keys' },
  deleteKey: { method: 'DELETE', path: '/v1/keys/0123456789abcdef' },
  setSecret: { method: 'PUT', path: '/v1/secrets/s1', json: { value: '0123456789' } },
  listSecrets: { method: 'GET', path: '/v1/secrets' },
  getSecret: { method: 'GET', path: '/v1/secrets/s1' },
  deleteSecret: { method: 'DELETE', path: '/v1/secrets/s1' },
  listNodes: { method: 'GET', path: '/v1/nodes' },
  listProcesses: { method: 'GET', path: '/v1/processes' },
  listAudit: { method: 'GET', path: '/v1/audit' },
})

const send = (sample: Sample, role: Role | 'none') =>
  h.call(sample.method, sample.path, {
    role,
    ...(sample.json === undefined ? {} : { json: sample.json }),
    ...(sample.bytes === undefined ? {} : { bytes: sample.bytes }),
  })

async function problem(response: Response) {
  expect(response.headers.get('content-type')).toBe('application/problem+json')
  return (await response.json()) as {
    status: number
    code: string
    title: string
    detail: string
    errors?: { pointer?: string; parameter?: string; message: string }[]
  }
}

/** The roles below the one a route needs. */
const below: Record<Role, Role[]> = {
  admin: ['publisher', 'operator', 'viewer'],
  publisher: ['operator', 'viewer'],
  operator: ['publisher', 'viewer'],
  viewer: [],
}

describe('authentication and roles', () => {
  test('every route has a sample request', () => {
    expect(routes.map((r) => r.operationId).sort()).toEqual(Object.keys(samples()).sort())
  })

  for (const route of routes) {
    if (route.role === undefined) {
      test(`${route.operationId} is open`, async () => {
        const response = await send(samples()[route.operationId] as Sample, 'none')
        // The callback sample names no awaited step: open, but 404.
        expect(response.status).toBe(route.operationId === 'callback' ? 404 : 200)
      })
      continue
    }
    test(`${route.operationId} answers 401 without a key`, async () => {
      const response = await send(samples()[route.operationId] as Sample, 'none')
      expect(response.status).toBe(401)
      const body = await problem(response)
      expect([body.code, body.detail]).toEqual([
        'unauthorized',
        'missing Authorization header (Bearer <api key>)',
      ])
    })
    for (const role of below[route.role]) {
      test(`${route.operationId} answers 403 to a ${role} key`, async () => {
        const response = await send(samples()[route.operationId] as Sample, role)
        expect(response.status).toBe(403)
        const body = await problem(response)
        expect(body.code).toBe('forbidden')
        expect(body.detail).toBe(
          `this needs the ${route.role} role; the key "${role} key" has ${role}`,
        )
      })
    }
  }

  test('a malformed, unknown or wrong key is 401, and a deleted key stops working', async () => {
    const withHeader = (authorization: string) =>
      h.app.request('/v1/runs', { headers: { authorization } })
    const cases = {
      'Basic abc': 'the Authorization header must be "Bearer <api key>"',
      'Bearer nope': 'the API key is malformed',
      [`Bearer weir_0123456789abcdef_${'a'.repeat(32)}`]: 'the API key is not valid',
      [`Bearer ${h.keys.viewer.slice(0, -4)}AAAA`]: 'the API key is not valid',
    }
    for (const [header, detail] of Object.entries(cases)) {
      const response = await withHeader(header)
      expect([response.status, (await problem(response)).detail]).toEqual([401, detail])
    }
    const { record, key } = await h.apiKeys.create('temporary', 'viewer')
    expect((await withHeader(`Bearer ${key}`)).status).toBe(200)
    await h.apiKeys.delete(record.id)
    expect((await withHeader(`Bearer ${key}`)).status).toBe(401)
  })
})
