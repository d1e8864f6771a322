/**
 * /v1/secrets: admin only, values never read back, short values refused;
 * tasks naming unknown secrets are refused at publish, and a secret a task
 * version uses cannot be deleted.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await appHarness(pool, cache)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

const value = 'sk_live_4f0c2a9b7e'

test('PUT sets (201) and replaces (200); reads show names and times, never values', async () => {
  const created = await h.call('PUT', '/v1/secrets/stripe-live', { json: { value } })
  expect(created.status).toBe(201)
  const body = await created.json()
  expect(body).toEqual({
    name: 'stripe-live',
    createdAt: expect.any(String),
    updatedAt: expect.any(String),
  })
  const replaced = await h.call('PUT', '/v1/secrets/stripe-live', { json: { value: `${value}x` } })
  expect(replaced.status).toBe(200)
  const list = await (await h.call('GET', '/v1/secrets')).json()
  expect(list).toEqual({ items: [expect.objectContaining({ name: 'stripe-live' })] })
  expect(JSON.stringify(list)).not.toContain('sk_live')
  const one = await (await h.call('GET', '/v1/secrets/stripe-live')).json()
  expect(Object.keys(one).sort()).toEqual(['createdAt', 'name', 'updatedAt'])
  const db = readFileSync(join(h.dir, 'weir.db'))
  const wal = readFileSync(join(h.dir, 'weir.db-wal'))
  expect(db.includes(Buffer.from('sk_live')) || wal.includes(Buffer.from('sk_live'))).toBe(false)
})

test('only admin keys manage secrets', async () => {
  for (const role of ['publisher', 'operator', 'viewer'] as const) {
    expect((await h.call('GET', '/v1/secrets', { role })).status).toBe(403)
    expect((await h.call('PUT', '/v1/secrets/x1', { role, json: { value } })).status).toBe(403)
  }
})

test('a value shorter than 8 bytes is 422; an unknown secret is 404', async () => {
  const short = await h.call('PUT', '/v1/secrets/short', { json: { value: 'abc' } })
  expect(short.status).toBe(422)
  expect(await short.json()).toMatchObject({
    code: 'invalid_document',
    detail: 'secret short: a value has 8 to 65536 bytes, not 3',
    errors: [{ pointer: '/value', message: 'expected 8 to 65536 bytes, found 3' }],
  })
  const missing = await h.call('GET', '/v1/secrets/nothing')
  expect([missing.status, (await missing.json()).detail]).toEqual([
    404,
    'secret nothing does not exist',
  ])
})

test('a task naming an unknown secret is 422 at its variable; one in use cannot be deleted (409)', async () => {
  const inc = await h.store.getTask('inc')
  const component = inc?.document.component ?? ''
  const task = (env: Record<string, unknown>) => ({
    name: 'charger',
    export: 'inc',
    component,
    capabilities: { env },
  })
  const unknown = await h.call('POST', '/v1/tasks', {
    json: task({ REGION: 'eu-west-1', STRIPE_KEY: { secret: 'stripe-test' } }),
  })
  expect(unknown.status).toBe(422)
  expect((await unknown.json()).errors).toEqual([
    {
      pointer: '/capabilities/env/STRIPE_KEY',
      code: 'unknown_secret',
      message:
        'secret "stripe-test" is not set: set it first (PUT /v1/secrets/stripe-test, or weir secrets set stripe-test)',
    },
  ])
  await h.call('PUT', '/v1/secrets/stripe-test', { json: { value } })
  const published = await h.call('POST', '/v1/tasks', {
    json: task({ REGION: 'eu-west-1', STRIPE_KEY: { secret: 'stripe-test' } }),
  })
  expect(published.status).toBe(201)
  const inUse = await h.call('DELETE', '/v1/secrets/stripe-test')
  expect(inUse.status).toBe(409)
  expect((await inUse.json()).detail).toBe(
    'secret stripe-test is used by charger@1: publish versions without it first',
  )
  const bad = await h.call('POST', '/v1/tasks', {
    json: task({ '1X': 'a', EMPTY: '', Region: 'eu', REGION: 'us' }),
  })
  expect((await bad.json()).errors.map((e: { pointer: string }) => e.pointer)).toEqual([
    '/capabilities/env/EMPTY',
    '/capabilities/env/1X',
    '/capabilities/env/REGION',
  ])
  expect((await h.call('PUT', '/v1/secrets/unused-one', { json: { value } })).status).toBe(201)
  expect((await h.call('DELETE', '/v1/secrets/unused-one')).status).toBe(204)
  expect((await h.call('DELETE', '/v1/secrets/unused-one')).status).toBe(404)
})
