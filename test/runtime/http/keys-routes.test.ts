/** API keys over HTTP: created with a role (the key shown once, usable at once), listed without secrets, deleted. */
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

test('a created key works with its role, is listed without its secret, and stops working when deleted', async () => {
  const response = await h.call('POST', '/v1/keys', {
    json: { name: 'ci publisher', role: 'publisher' },
  })
  expect(response.status).toBe(201)
  const created = (await response.json()) as { id: string; name: string; role: string; key: string }
  expect(created.key).toMatch(new RegExp(`^weir_${created.id}_[A-Za-z0-9_-]{32}$`))
  const stored = await h.store.getApiKey(created.id)
  expect(stored?.secretHash).toMatch(/^[0-9a-f]{64}$/)
  expect(JSON.stringify(stored)).not.toContain(created.key.slice(22))
  const use = (path: string, method = 'GET') =>
    h.app.request(path, { method, headers: { authorization: `Bearer ${created.key}` } })
  expect((await use('/v1/tasks')).status).toBe(200)
  expect((await use('/v1/runs/01M84CGZN8FNG0KHWJSTKZ1S7Z/cancel', 'POST')).status).toBe(403)
  const list = (await (await h.call('GET', '/v1/keys')).json()) as {
    items: Record<string, unknown>[]
  }
  const listed = list.items.find((k) => k.id === created.id)
  expect(listed).toEqual({
    id: created.id,
    name: 'ci publisher',
    role: 'publisher',
    createdAt: expect.any(String),
  })
  expect((await h.call('DELETE', `/v1/keys/${created.id}`)).status).toBe(204)
  expect((await use('/v1/tasks')).status).toBe(401)
  const gone = await h.call('DELETE', `/v1/keys/${created.id}`)
  expect([gone.status, ((await gone.json()) as { detail: string }).detail]).toEqual([
    404,
    `API key ${created.id} does not exist`,
  ])
})

test('a new key with a wrong role or extra fields is 422 with pointers', async () => {
  const response = await h.call('POST', '/v1/keys', { json: { name: '', role: 'root', colour: 1 } })
  expect(response.status).toBe(422)
  const body = (await response.json()) as { errors: { pointer: string }[] }
  expect(body.errors.map((e) => e.pointer).sort()).toEqual(['/colour', '/name', '/role'])
})
