/**
 * A server's metrics, end to end on a real listening server: on by default
 * behind the viewer role, open with WEIR_METRICS_PUBLIC=1, with prom-client's
 * process metrics prefixed `weir_`, group commits, the executor and the
 * node's gauges; and registries of their own, so that two servers (or test
 * apps) in one process never share a series.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, describe, expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirMetrics } from '../../../runtime/metrics/index.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import { parseSamples, sampleValue } from '../../fixtures/prometheus-text.js'

const servers: WeirServer[] = []

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
})

async function start(env: Record<string, string> = {}): Promise<WeirServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-metrics-server-'))
  const config = resolveConfig({ dataDir, port: 0, workers: 1 }, env)
  const server = await WeirServer.start(config, { logger: pino({ level: 'silent' }), graceMs: 200 })
  servers.push(server)
  return server
}

describe('a server', () => {
  test('serves its metrics to a viewer: runs, group commits, executor, node and process', async () => {
    const server = await start()
    const key = { authorization: `Bearer ${server.newAdminKey}` }
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401)
    await publishEngineTasks(server.context.catalog)
    await server.context.catalog.publishFlow({
      name: 'one',
      steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
    })
    const started = await fetch(`${server.url}/v1/flows/one/runs?wait=5000`, {
      method: 'POST',
      headers: { ...key, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(started.status).toBe(200)
    const response = await fetch(`${server.url}/metrics`, { headers: key })
    expect(response.status).toBe(200)
    const samples = parseSamples(await response.text())
    const value = (name: string, labels: Record<string, string> = {}) =>
      sampleValue(samples, name, labels)
    expect(value('weir_runs_started_total', { flow: 'one' })).toBe(1)
    expect(value('weir_runs_finished_total', { flow: 'one', status: 'completed' })).toBe(1)
    expect(value('weir_group_commit_size_sum')).toBe(2)
    expect(value('weir_executor_workers')).toBe(1)
    expect(value('weir_leases_held')).toBe(0)
    expect(value('weir_runs', { status: 'running', source: 'store' })).toBe(0)
    expect(
      value('weir_http_request_duration_seconds_count', {
        method: 'POST',
        route: '/v1/flows/{name}/runs',
        status: '200',
      }),
    ).toBe(1)
    expect(value('weir_process_cpu_user_seconds_total')).toBeGreaterThan(0)
    expect(samples.some((s) => s.name.startsWith('weir_nodejs_eventloop_lag'))).toBe(true)
  })

  test('with WEIR_METRICS_PUBLIC=1 serves them without a key', async () => {
    const server = await start({ WEIR_METRICS_PUBLIC: '1' })
    const response = await fetch(`${server.url}/metrics`)
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('weir_runs{status="queued",source="store"} 0')
    expect((await fetch(`${server.url}/v1/runs`)).status).toBe(401)
  })
})

test('two metrics in one process keep their own series', async () => {
  const [a, b] = [new WeirMetrics(), new WeirMetrics()]
  a.groupCommits(3, 0.002)
  a.runs.tookOver(2)
  const [textA, textB] = await Promise.all([a.scrape(), b.scrape()])
  const [samplesA, samplesB] = [parseSamples(textA.text), parseSamples(textB.text)]
  expect(sampleValue(samplesA, 'weir_group_commit_size_sum')).toBe(3)
  expect(sampleValue(samplesA, 'weir_takeovers_total')).toBe(2)
  expect(sampleValue(samplesB, 'weir_group_commit_size_sum')).toBe(0)
  expect(sampleValue(samplesB, 'weir_takeovers_total')).toBe(0)
})
