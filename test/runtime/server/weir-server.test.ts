/**
 * A real weir server listening on an ephemeral port: the admin key of the
 * first start, runs started over HTTP with ?wait, a graceful stop that leaves
 * an attempt in flight to recovery, and a restart that resumes it.
 */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { afterAll, expect, test } from 'vitest'
import { resolveConfig } from '../../../runtime/config.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { WeirServer } from '../../../runtime/server/weir-server.js'
import { publishEngineTasks } from '../../fixtures/engine-tasks.js'

const dataDir = mkdtempSync(join(tmpdir(), 'weir-server-'))
const config = resolveConfig({ dataDir, port: 0, workers: 1 }, {})
const logger = pino({ level: 'silent' })
const servers: WeirServer[] = []

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()))
})

async function start(): Promise<WeirServer> {
  const server = await WeirServer.start(config, { logger, graceMs: 200 })
  servers.push(server)
  return server
}

const token = () => readFileSync(join(dataDir, 'admin.token'), 'utf8').trim()

async function call(
  server: WeirServer,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(server.url + path, {
    method,
    headers: { authorization: `Bearer ${token()}`, 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  })
}

let inFlight: string

test('the first start makes an admin key, writes it 0600, and serves runs with ?wait', async () => {
  const server = await start()
  expect(server.newAdminKey).toMatch(/^weir_[0-9a-f]{16}_/)
  expect(token()).toBe(server.newAdminKey)
  expect(statSync(join(dataDir, 'admin.token')).mode & 0o777).toBe(0o600)
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  const health = await fetch(`${server.url}/health`)
  expect(await health.json()).toEqual({
    status: 'ok',
    version: server.context.version,
    storage: 'ok',
  })
  await publishEngineTasks(server.context.catalog)
  await server.context.catalog.publishFlow({
    name: 'twice',
    steps: [
      { id: 'a', task: 'inc', input: { n: 1 } },
      { id: 'b', task: 'inc', input: { n: '${steps.a.output}' } },
    ],
  })
  await server.context.catalog.publishFlow({
    name: 'forever',
    steps: [{ id: 'a', task: 'spin', input: {}, timeoutMs: 60_000 }],
  })
  const response = await call(server, 'POST', '/v1/flows/twice/runs?wait=10000', {})
  expect(response.status).toBe(200)
  const run = (await response.json()) as RunResource
  expect([run.status, run.output]).toEqual(['completed', 3])
  expect(response.headers.get('location')).toBe(`/v1/runs/${run.id}`)
  expect((await fetch(`${server.url}/v1/runs`)).status).toBe(401)
  const started = await call(server, 'POST', '/v1/flows/forever/runs', {})
  inFlight = ((await started.json()) as RunResource).id
  await new Promise((r) => setTimeout(r, 100))
  const stopping = server.stop()
  await stopping
  await expect(fetch(`${server.url}/health`)).rejects.toThrow()
})

test('a restart keeps the key and resumes the run whose attempt the stop left in flight', async () => {
  const server = await start()
  expect(server.newAdminKey).toBeUndefined()
  expect(server.recovered).toBe(1)
  const run = (await (await call(server, 'GET', `/v1/runs/${inFlight}`)).json()) as RunResource
  expect([run.status, run.currentStep]).toEqual(['running', 'a'])
  const steps = (await (await call(server, 'GET', `/v1/runs/${inFlight}/steps`)).json()) as {
    items: unknown[]
  }
  expect(steps.items).toEqual([])
  await call(server, 'POST', `/v1/runs/${inFlight}/terminate`)
  const finished = await server.context.engine.waitForRun(inFlight, 5000)
  expect(finished?.status).toBe('terminated')
})

test('a port in use is refused with what to do, and what was opened is closed again', async () => {
  const server = await start()
  const port = Number(new URL(server.url).port)
  const other = resolveConfig(
    { dataDir: mkdtempSync(join(tmpdir(), 'weir-server-')), port, workers: 1 },
    {},
  )
  await expect(WeirServer.start(other, { logger })).rejects.toThrow(
    `cannot listen on 127.0.0.1:${port}: the address is in use (choose another with --port or WEIR_PORT)`,
  )
})

test('the first start makes a 0600 secret key file; a WEIR_SECRET_KEY that cannot open the secrets refuses to start', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-server-'))
  const first = await WeirServer.start(resolveConfig({ dataDir: dir, port: 0, workers: 1 }, {}), {
    logger,
  })
  await first.stop()
  expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
  const wrong = resolveConfig(
    { dataDir: dir, port: 0, workers: 1 },
    { WEIR_SECRET_KEY: 'ab'.repeat(32) },
  )
  await expect(WeirServer.start(wrong, { logger })).rejects.toThrow(
    'the secret key cannot open the secrets in this database: start with the WEIR_SECRET_KEY (or the data directory key file) the secrets were stored with',
  )
  const again = await WeirServer.start(resolveConfig({ dataDir: dir, port: 0, workers: 1 }, {}), {
    logger,
  })
  await again.stop()
})
