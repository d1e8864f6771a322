/**
 * A secret end to end: a JavaScript task reads it from its environment and
 * sends it as a header to a loopback server, which receives it; the run's
 * stored output, steps, events and the engine's log lines hold only `***`,
 * and neither the database file nor its WAL holds the value. A rotated
 * secret is sent from the next attempt on, without a republish.
 */
import { readFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { type Harness, harness } from '../../fixtures/engine-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'

const first = 'tok_live_5f1e0c9a2b7d'
const second = 'tok_live_93ab04d1ce68'
const received: string[] = []
const logLines: string[] = []

let pool: WorkerPool
let h: Harness
let server: Server
let url: string

beforeAll(async () => {
  server = createServer((request, response) => {
    received.push(request.headers.authorization ?? '')
    response.end('ok')
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  const key = new Uint8Array(32).fill(5)
  // The engine opens secrets with the same key as the store was given them.
  const opener = { reveal: async (name: string) => (await secrets()).reveal(name) }
  let opened: Secrets | undefined
  const secrets = async () => {
    opened ??= await Secrets.open(h.store, key)
    return opened
  }
  const record = (fields: Record<string, unknown>, message: string) =>
    logLines.push(`${message} ${JSON.stringify(fields)}`)
  h = await harness(pool, cache, {
    secrets: opener,
    logger: { info: record, error: record },
  })
  await (await secrets()).set('api-token', first)
  const dir = new URL('../../fixtures/js-env/', import.meta.url)
  const document = JSON.parse(readFileSync(new URL('task.json', dir), 'utf8'))
  const bytes = new Uint8Array(readFileSync(new URL('dist/js-env.wasm', dir)))
  await h.catalog.publishTask(document, bytes)
  await h.catalog.publishFlow({
    name: 'calls-out',
    input: { type: 'object', required: ['url'], properties: { url: { type: 'string' } } },
    steps: [{ id: 'call', task: 'js-env', input: { url: '${input.url}', say: true } }],
  })
})

afterAll(async () => {
  await h.close()
  await pool.close()
  await new Promise((resolve) => server.close(resolve))
})

test('the server receives the secret; nothing weir stores or logs holds it', async () => {
  const { run } = await h.engine.startRun('calls-out', { url })
  const done = await h.engine.waitForRun(run.id, 20_000)
  expect(done?.status).toBe('completed')
  expect(received).toEqual([`Bearer ${first}`])
  expect(done?.output).toEqual({
    region: 'eu-west-1',
    token: '***',
    names: ['REGION', 'API_TOKEN'],
    status: 200,
  })
  const steps = JSON.stringify(await h.store.getStepRuns(run.id))
  expect(steps).toContain('token: ***')
  const stored = [
    JSON.stringify(await h.store.getRun(run.id)),
    steps,
    JSON.stringify(await h.store.listEvents(run.id)),
    logLines.join('\n'),
  ]
  for (const text of stored) expect(text).not.toContain('tok_live')
  // Every row of every table, as text; on libSQL also the database and WAL files as bytes.
  for (const table of ['runs', 'step_runs', 'attempts', 'events', 'tasks', 'flows']) {
    const rows = await h.store.client.execute(`SELECT * FROM ${table}`)
    expect(rows.rows.length).toBeGreaterThan(0)
    expect(JSON.stringify(rows.rows)).not.toContain('tok_live')
  }
  if (h.kind === 'libsql') {
    await h.store.client.execute('PRAGMA wal_checkpoint(PASSIVE)')
    for (const file of ['weir.db', 'weir.db-wal']) {
      const raw = readFileSync(join(h.dir, file))
      expect(raw.includes(Buffer.from('tok_live'))).toBe(false)
    }
  }
})

test('a rotated secret is sent from the next attempt on, without a republish', async () => {
  const secrets = await Secrets.open(h.store, new Uint8Array(32).fill(5))
  await secrets.set('api-token', second)
  const { run } = await h.engine.startRun('calls-out', { url })
  expect((await h.engine.waitForRun(run.id, 20_000))?.status).toBe('completed')
  expect(received.at(-1)).toBe(`Bearer ${second}`)
  expect((await h.store.getTask('js-env'))?.version).toBe(1)
})
