/**
 * HTTP's conventions, as standard clients expect them: `WWW-Authenticate` on a
 * 401, 405 with `Allow`, unknown query parameters refused by name, relative
 * `Location` and callback URLs under WEIR_PUBLIC_URL, a bad cursor as a
 * parameter error, and an Idempotency-Key reused with another body (422).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { RunResource } from '../../../runtime/http/resources.js'
import { type AppHarness, appHarness } from '../../fixtures/app-harness.js'
import { publishAskTask } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness

const anything = {
  name: 'anything',
  input: { type: 'object' },
  steps: [{ id: 'a', task: 'inc', input: { n: 1 } }],
}
const asking = { name: 'asking', steps: [{ id: 'ask', task: 'ask', input: { n: 1 } }] }

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await appHarness(pool, cache, { publicUrl: 'https://weir.example.com/' })
  await publishAskTask(h.catalog)
  for (const flow of [anything, asking]) await h.catalog.publishFlow(flow)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

const problemJson = 'application/problem+json'

describe('401', () => {
  test('names the Bearer scheme in WWW-Authenticate', async () => {
    const response = await h.call('GET', '/v1/runs', { role: 'none' })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe('Bearer realm="weir"')
    expect(response.headers.get('content-type')).toBe(problemJson)
    expect(await response.json()).toEqual({
      type: 'https://weir.dev/problems/unauthorized',
      title: 'Unauthorized',
      status: 401,
      detail: 'missing Authorization header (Bearer <api key>)',
      code: 'unauthorized',
    })
  })

  test('other refusals carry no WWW-Authenticate', async () => {
    const response = await h.call('GET', '/v1/keys', { role: 'viewer' })
    expect([response.status, response.headers.get('www-authenticate')]).toEqual([403, null])
  })
})

describe('405', () => {
  test.each([
    ['DELETE', '/v1/runs/01M84CGZN8FNG0KHWJSTKZ1S7Z', 'GET, HEAD'],
    ['GET', '/v1/flows/add-two/runs', 'POST'],
    ['PATCH', '/v1/secrets/stripe', 'PUT, GET, DELETE, HEAD'],
    ['POST', '/health', 'GET, HEAD'],
  ])('%s %s is 405 with Allow: %s', async (method, path, allow) => {
    const response = await h.call(method, path)
    expect(response.status).toBe(405)
    expect(response.headers.get('allow')).toBe(allow)
    expect(response.headers.get('content-type')).toBe(problemJson)
    expect(await response.json()).toEqual({
      type: 'https://weir.dev/problems/method-not-allowed',
      title: 'Method not allowed',
      status: 405,
      detail: `${path} does not take ${method}; it takes ${allow}`,
      code: 'method_not_allowed',
    })
  })

  test('HEAD, which Allow names beside GET, is answered where GET is', async () => {
    const response = await h.call('HEAD', '/health')
    expect([response.status, await response.text()]).toEqual([200, ''])
  })

  test('an unknown path is still 404, without Allow', async () => {
    const response = await h.call('DELETE', '/v1/nothing/here')
    expect([response.status, response.headers.get('allow')]).toEqual([404, null])
    expect(await response.json()).toMatchObject({
      code: 'not_found',
      detail: 'no route for DELETE /v1/nothing/here',
    })
  })
})

describe('query parameters', () => {
  test('unknown ones are 400, each named, with those the route takes', async () => {
    const response = await h.call('GET', '/v1/runs?flow=add-two&limt=5&sort=asc', {
      role: 'viewer',
    })
    expect(response.status).toBe(400)
    const takes = 'it takes flow, process, status, parent, from, to, limit, cursor, follow'
    expect(await response.json()).toEqual({
      type: 'https://weir.dev/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: `parameter "limt": is not a query parameter of GET /v1/runs (${takes})`,
      code: 'invalid_request',
      errors: [
        { parameter: 'limt', message: `is not a query parameter of GET /v1/runs (${takes})` },
        { parameter: 'sort', message: `is not a query parameter of GET /v1/runs (${takes})` },
      ],
    })
  })

  test('a route without query parameters names none', async () => {
    const response = await h.call('GET', '/v1/keys?all=1')
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({
      errors: [
        { parameter: 'all', message: 'is not a query parameter of GET /v1/keys (it takes none)' },
      ],
    })
  })

  test('?pretty is taken everywhere, and declared ones where declared', async () => {
    const pretty = await h.call('GET', '/v1/keys?pretty')
    expect(pretty.status).toBe(200)
    expect(await pretty.text()).toMatch(/^\{\n {2}"items": \[/)
    const started = await h.call('POST', '/v1/flows/anything/runs?version=1&wait=5000&pretty', {
      role: 'operator',
      json: {},
    })
    expect(started.status).toBe(200)
  })

  test('a cursor this API did not give out is a parameter error', async () => {
    const response = await h.call('GET', '/v1/runs?cursor=nope', { role: 'viewer' })
    expect(response.status).toBe(400)
    expect(await response.json()).toEqual({
      type: 'https://weir.dev/problems/invalid-request',
      title: 'Invalid request',
      status: 400,
      detail: 'parameter "cursor": "nope" is not a cursor this API gave out',
      code: 'invalid_request',
      errors: [{ parameter: 'cursor', message: '"nope" is not a cursor this API gave out' }],
    })
  })
})

describe('URLs', () => {
  test('Location is relative, whatever host the request came to', async () => {
    const response = await h.app.request('https://behind.proxy:8443/v1/flows/anything/runs', {
      method: 'POST',
      headers: { authorization: `Bearer ${h.keys.operator}`, 'content-type': 'application/json' },
      body: '{}',
    })
    expect(response.status).toBe(201)
    const run = (await response.json()) as RunResource
    expect(response.headers.get('location')).toBe(`/v1/runs/${run.id}`)
  })

  test('a callback URL is under WEIR_PUBLIC_URL when it is set', async () => {
    const started = await h.call('POST', '/v1/flows/asking/runs', { role: 'operator', json: {} })
    const run = (await started.json()) as RunResource
    let callback: { token: string | null; url: string | null } | undefined
    for (let i = 0; i < 500 && !callback?.token; i++) {
      const steps = (await (await h.call('GET', `/v1/runs/${run.id}/steps`)).json()) as {
        items: { callback?: { token: string | null; url: string | null } }[]
      }
      callback = steps.items[0]?.callback
      if (!callback?.token) await new Promise((r) => setTimeout(r, 10))
    }
    expect(callback?.url).toBe(`https://weir.example.com/v1/callbacks/${callback?.token}`)
    await h.call('POST', `/v1/runs/${run.id}/terminate`, { role: 'operator' })
  })
})

describe('Idempotency-Key', () => {
  const start = (key: string, body: unknown) =>
    h.call('POST', '/v1/flows/anything/runs', {
      role: 'operator',
      json: body,
      headers: { 'idempotency-key': key },
    })

  test('the same body (keys in any order) answers the first run, 200', async () => {
    const first = await start('same', { a: 1, b: { c: 2, d: [3, 4] } })
    expect(first.status).toBe(201)
    const run = (await first.json()) as RunResource
    const again = await start('same', { b: { d: [3, 4], c: 2 }, a: 1 })
    expect(again.status).toBe(200)
    expect(again.headers.get('location')).toBe(`/v1/runs/${run.id}`)
    expect(((await again.json()) as RunResource).id).toBe(run.id)
  })

  test('another body is 422 idempotency_key_reused, and starts nothing', async () => {
    const first = await start('reused', { a: 1 })
    const run = (await first.json()) as RunResource
    const before = (await h.store.listRuns({ flow: 'anything' })).items.length
    const again = await start('reused', { a: 2 })
    expect(again.status).toBe(422)
    expect(again.headers.get('content-type')).toBe(problemJson)
    expect(await again.json()).toEqual({
      type: 'https://weir.dev/problems/idempotency-key-reused',
      title: 'Idempotency key reused',
      status: 422,
      detail: `the Idempotency-Key "reused" was used for run ${run.id} with another body; a new input needs a new key`,
      code: 'idempotency_key_reused',
    })
    expect((await h.store.listRuns({ flow: 'anything' })).items.length).toBe(before)
  })
})
