/**
 * PostgreSQL stopped for 10 s under load, then started again, under a real
 * server on its own throwaway cluster: meanwhile `/health/ready` answers 503
 * and starts answer 503 `storage_unavailable` with Retry-After; every start
 * that was acknowledged (201) completes with its output, the runs caught in
 * flight included; and the node becomes ready again by itself.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'
import {
  type Cluster,
  startCluster,
  startServer,
  stopServer,
} from '../../fixtures/postgres-cluster.js'

let cluster: Cluster
let server: WeirServer
let headers: Record<string, string>

beforeAll(async () => {
  cluster = await startCluster()
  const dataDir = mkdtempSync(join(tmpdir(), 'weir-pg-outage-'))
  server = await WeirServer.start(
    resolveConfig(
      { dataDir, port: 0, workers: 1, dbUrl: cluster.url, secretKey: 'b'.repeat(64) },
      {},
    ),
    { logger: pino({ level: 'silent' }) },
  )
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow({
    name: 'two',
    steps: [
      { id: 'a', task: 'inc', input: { n: '${input.n}' } },
      { id: 'b', task: 'inc', input: { n: '${steps.a.output}' } },
    ],
    output: '${steps.b.output}',
  })
  headers = { authorization: `Bearer ${server.newAdminKey}`, 'content-type': 'application/json' }
}, 60_000)

afterAll(async () => {
  await server?.stop()
  await cluster?.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

const ready = async () => (await fetch(`${server.url}/health/ready`)).status

test('PostgreSQL away for 10 s: 503s meanwhile, nothing acknowledged lost, ready again by itself', async () => {
  const acknowledged = new Map<string, number>()
  const refusals: { status: number; retryAfter: string | null; code: unknown }[] = []
  let stop = false
  let n = 0
  const client = async () => {
    while (!stop) {
      const i = n++
      const response = await fetch(`${server.url}/v1/flows/two/runs`, {
        method: 'POST',
        headers: { ...headers, 'idempotency-key': `k-${i}` },
        body: JSON.stringify({ n: i }),
      })
      const body = (await response.json()) as { id?: string; code?: string }
      if (response.status === 201 && body.id) acknowledged.set(body.id, i)
      else {
        refusals.push({
          status: response.status,
          retryAfter: response.headers.get('retry-after'),
          code: body.code,
        })
        await sleep(100)
      }
    }
  }
  const load = Promise.all(Array.from({ length: 4 }, client))
  await sleep(1000)
  const before = acknowledged.size
  expect(before).toBeGreaterThan(0)

  await stopServer(cluster)
  const stoppedAt = Date.now()
  const readiness: number[] = []
  while (Date.now() - stoppedAt < 10_000) {
    readiness.push(await ready())
    await sleep(500)
  }
  await startServer(cluster)
  let readyAgain = false
  for (let waited = 0; waited < 20_000 && !readyAgain; waited += 250) {
    readyAgain = (await ready()) === 200
    if (!readyAgain) await sleep(250)
  }
  expect(readyAgain).toBe(true)
  await sleep(500)
  stop = true
  await load

  // Meanwhile: not ready, and starts refused with the fault and when to retry.
  expect(readiness.filter((s) => s === 503).length).toBeGreaterThan(readiness.length / 2)
  expect(refusals.length).toBeGreaterThan(0)
  for (const r of refusals)
    expect(r).toEqual({ status: 503, retryAfter: '1', code: 'storage_unavailable' })
  expect(acknowledged.size).toBeGreaterThan(before)

  // Every acknowledged run completes with its output (n + 2), those in flight at the outage too.
  for (const [id, i] of acknowledged) {
    let run: { status: string; output?: unknown } = { status: 'unknown' }
    for (let waited = 0; waited < 30_000; waited += 100) {
      run = (await (await fetch(`${server.url}/v1/runs/${id}`, { headers })).json()) as typeof run
      if (run.status === 'completed' || run.status === 'failed') break
      await sleep(100)
    }
    expect([id, run.status, run.output]).toEqual([id, 'completed', i + 2])
  }
}, 90_000)
