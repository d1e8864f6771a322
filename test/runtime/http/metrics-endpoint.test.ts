/**
 * `GET /metrics` through the app: the viewer role (401 without a key, 200
 * with a viewer's), open to all with `--metrics-public`, 405 for other
 * methods; and the HTTP histogram's labels: the route's template, never the
 * request's path, `unmatched` for a path no route has.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { createApp } from '../../../runtime/http/app.js'
import { WeirMetrics } from '../../../runtime/metrics/index.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { type AppHarness, appHarness, testSecretKey } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { parseSamples, sampleValue, seriesOf } from '../../fixtures/prometheus-text.js'

let pool: WorkerPool
let h: AppHarness
let metrics: WeirMetrics

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  metrics = new WeirMetrics()
  h = await appHarness(pool, cache, { metrics: { source: metrics } }, { observers: [metrics.runs] })
  h.store.stats.observeGroupCommits(metrics.groupCommits)
  metrics.watch({ store: h.store.stats, executor: pool, engine: h.engine })
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

const problemJson = 'application/problem+json'

describe('who may read it', () => {
  test('without a key: 401, naming the Bearer scheme', async () => {
    const response = await h.call('GET', '/metrics', { role: 'none' })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="weir"')
    expect(response.headers.get('content-type')).toBe(problemJson)
    expect(await response.json()).toMatchObject({
      code: 'unauthorized',
      detail: 'missing Authorization header (Bearer <api key>)',
    })
  })

  test("a viewer's key reads Prometheus's text format", async () => {
    const response = await h.call('GET', '/metrics', { role: 'viewer' })
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    const text = await response.text()
    expect(text).toContain('# TYPE weir_runs_started_total counter')
    expect(text).toContain('# TYPE weir_http_request_duration_seconds histogram')
    expect(
      sampleValue(parseSamples(text), 'weir_runs', { status: 'queued', source: 'store' }),
    ).toBe(0)
  })

  test('with --metrics-public, no key is needed', async () => {
    const open = createApp(
      {
        store: h.store,
        catalog: h.catalog,
        engine: h.engine,
        apiKeys: h.apiKeys,
        scheduler: h.scheduler,
        secrets: await Secrets.open(h.store, testSecretKey),
        version: '9.9.9',
      },
      { metrics: { source: metrics, public: true } },
    )
    const response = await open.request('/metrics')
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('# TYPE weir_leases_held gauge')
    // The rest of the API still wants its key.
    expect((await open.request('/v1/runs')).status).toBe(401)
  })

  test('other methods: 405 with Allow', async () => {
    const response = await h.call('POST', '/metrics', { role: 'viewer' })
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe('GET, HEAD')
    expect(await response.json()).toMatchObject({
      code: 'method_not_allowed',
      detail: '/metrics does not take POST; it takes GET, HEAD',
    })
  })
})

describe('HTTP request durations', () => {
  test("are labelled with the route's template, not the path; unknown paths are unmatched", async () => {
    const ids: string[] = []
    for (let n = 0; n < 3; n++) {
      const started = await h.call('POST', '/v1/flows/add-two/runs?wait=5000', { json: { n } })
      expect(started.status).toBe(200)
      ids.push(((await started.json()) as { id: string }).id)
    }
    for (const id of ids) expect((await h.call('GET', `/v1/runs/${id}`)).status).toBe(200)
    expect((await h.call('GET', '/v1/runs/01M84CGZN8FNG0KHWJSTKZ1S7Z')).status).toBe(404)
    expect((await h.call('GET', '/no/such/path')).status).toBe(404)
    expect((await h.call('GET', '/no/such/other/path')).status).toBe(404)
    const samples = parseSamples(await (await h.call('GET', '/metrics', { role: 'viewer' })).text())
    const count = (method: string, route: string, status: string) =>
      sampleValue(samples, 'weir_http_request_duration_seconds_count', { method, route, status })
    expect(count('POST', '/v1/flows/{name}/runs', '200')).toBe(3)
    expect(count('GET', '/v1/runs/{id}', '200')).toBe(3)
    expect(count('GET', '/v1/runs/{id}', '404')).toBe(1)
    expect(count('GET', 'unmatched', '404')).toBe(2)
    const routes = new Set(
      seriesOf(samples, 'weir_http_request_duration_seconds_count').map((l) => l.route ?? ''),
    )
    expect(
      [...routes].filter((route) => route !== 'unmatched' && !/^\/[a-z0-9/{}-]*$/.test(route)),
    ).toEqual([])
    expect(ids.filter((id) => [...routes].some((route) => route.includes(id)))).toEqual([])
    expect(
      sampleValue(samples, 'weir_http_request_duration_seconds_bucket', {
        le: '+Inf',
        method: 'GET',
        route: '/v1/runs/{id}',
        status: '200',
      }),
    ).toBe(3)
    // The runs the API started are counted by the engine's observer.
    expect(sampleValue(samples, 'weir_runs_started_total', { flow: 'add-two' })).toBe(3)
  })
})
