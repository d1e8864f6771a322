/** Components, tasks and flows over HTTP: uploads, publishing (and republishing), reads, checks and their errors. */
import { afterAll, beforeAll, expect, test } from 'vitest'
import { sha256Hex } from '../../../runtime/components/component-cache.js'
import { WorkerPool } from '../../../runtime/executor/worker-pool.js'
import type { FlowDocument } from '../../../types/index.js'
import { type AppHarness, addTwo, appHarness } from '../../fixtures/app-harness.js'
import { engineTasksComponent } from '../../fixtures/engine-tasks.js'
import { tempCache } from '../../fixtures/executor-harness.js'

let pool: WorkerPool
let h: AppHarness
let component: Uint8Array
let sha: string

beforeAll(async () => {
  const cache = tempCache()
  pool = await WorkerPool.start({ cache, size: 1 })
  h = await appHarness(pool, cache, { limits: { jsonBytes: 4096, componentBytes: 200_000 } })
  component = await engineTasksComponent()
  sha = sha256Hex(component)
})

afterAll(async () => {
  await h.close()
  await pool.close()
})

type Body = Record<string, unknown> & {
  errors?: { pointer?: string; parameter?: string; code?: string; message: string }[]
}
const json = async (response: Response) => (await response.json()) as Body

test('PUT /v1/components/{sha256} stores the bytes and answers their exports and signatures', async () => {
  const response = await h.call('PUT', `/v1/components/${sha}`, {
    role: 'publisher',
    bytes: component,
  })
  expect(response.status).toBe(200)
  const body = await json(response)
  expect([body.sha256, body.size, body.imports]).toEqual([sha, component.length, []])
  expect(body.exports).toContainEqual({ name: 'inc', signature: 'func(n: u32) -> u32' })
  expect(body.exports).toContainEqual({
    name: 'fail-below',
    signature: 'func(attempt: u32, until: u32) -> result<u32, string>',
  })
  expect(await h.store.getComponent(sha)).toEqual(component)
})

test('a component whose bytes do not match the path, or that is not a component, is refused', async () => {
  const wrong = await h.call('PUT', `/v1/components/${'0'.repeat(64)}`, { bytes: component })
  expect(wrong.status).toBe(400)
  expect((await json(wrong)).detail).toBe(
    `the body's sha256 is ${sha}, not ${'0'.repeat(64)} as the path says`,
  )
  const junk = new TextEncoder().encode('not wasm')
  const invalid = await h.call('PUT', `/v1/components/${sha256Hex(junk)}`, { bytes: junk })
  expect(invalid.status).toBe(422)
  expect((await json(invalid)).code).toBe('invalid_component')
  const badPath = await h.call('PUT', '/v1/components/XYZ', { bytes: component })
  expect(badPath.status).toBe(400)
  expect((await json(badPath)).errors).toEqual([
    { parameter: 'sha256', message: 'expected a string matching /^[0-9a-f]{64}$/, found "XYZ"' },
  ])
})

test('POST /v1/tasks publishes a version; the same document again changes nothing', async () => {
  const doc = { name: 'plus-one', export: 'inc', component: `sha256:${sha}` }
  const first = await h.call('POST', '/v1/tasks', { role: 'publisher', json: doc })
  expect(first.status).toBe(201)
  expect(first.headers.get('location')).toBe('/v1/tasks/plus-one/versions/1')
  const body = await json(first)
  expect(body.created).toBe(true)
  expect(body.task).toMatchObject({
    name: 'plus-one',
    version: 1,
    component: `sha256:${sha}`,
    signature: 'func(n: u32) -> u32',
  })
  const again = await h.call('POST', '/v1/tasks', { role: 'publisher', json: doc })
  expect([again.status, (await json(again)).created]).toEqual([200, false])
  const changed = await h.call('POST', '/v1/tasks', { json: { ...doc, timeoutMs: 500 } })
  expect([changed.status, ((await json(changed)).task as { version: number }).version]).toEqual([
    201, 2,
  ])
})

test('a task document with problems is 422 with a pointer for each', async () => {
  const response = await h.call('POST', '/v1/tasks', {
    json: { name: 'Bad Name', export: 'inc', component: `sha256:${sha}`, colour: 'red' },
  })
  expect(response.status).toBe(422)
  const body = await json(response)
  expect(body.code).toBe('invalid_document')
  expect(body.errors?.map((e) => e.pointer)).toEqual(['/colour', '/name'])
  const unknown = await h.call('POST', '/v1/tasks', {
    json: { name: 'x', component: `sha256:${'1'.repeat(64)}` },
  })
  expect(unknown.status).toBe(404)
  expect((await json(unknown)).detail).toBe(
    `component sha256:${'1'.repeat(64)} has not been uploaded`,
  )
})

test('a grant is shown on every read, with the key that published it; bad origins are 422 with pointers', async () => {
  const doc = {
    name: 'granted',
    export: 'inc',
    component: `sha256:${sha}`,
    capabilities: { http: { allow: ['https://api.example.com'] } },
  }
  const published = await h.call('POST', '/v1/tasks', { role: 'publisher', json: doc })
  expect(published.status).toBe(201)
  const body = await json(published)
  const publisher = (await h.apiKeys.authenticate(`Bearer ${h.keys.publisher}`)).id
  expect(body.task).toMatchObject({
    capabilities: { http: { allow: ['https://api.example.com'] } },
    publishedBy: publisher,
  })
  expect(body.warnings).toEqual([
    expect.objectContaining({ pointer: '/capabilities/http', code: 'capability_unused' }),
  ])
  const read = await json(await h.call('GET', '/v1/tasks/granted', { role: 'viewer' }))
  expect([read.capabilities, read.publishedBy]).toEqual([doc.capabilities, publisher])
  const list = await json(await h.call('GET', '/v1/tasks', { role: 'viewer' }))
  const inc = (list.items as { name: string; capabilities: object }[]).find((t) => t.name === 'inc')
  expect(inc?.capabilities).toEqual({})

  const bad = await h.call('POST', '/v1/tasks', {
    json: {
      ...doc,
      capabilities: { http: { allow: ['https://ok.example.com', 'ftp://x.y', 'https://a.b/c'] } },
    },
  })
  expect(bad.status).toBe(422)
  const problems = await json(bad)
  expect(problems.errors?.map((e) => e.pointer)).toEqual([
    '/capabilities/http/allow/1',
    '/capabilities/http/allow/2',
  ])
})

test('tasks are listed (latest of each) and read by name and version', async () => {
  const list = await json(await h.call('GET', '/v1/tasks', { role: 'viewer' }))
  const names = (list.items as { name: string }[]).map((t) => t.name)
  expect(names).toEqual([...names].sort())
  expect(names).toContain('inc')
  const latest = await json(await h.call('GET', '/v1/tasks/inc', { role: 'viewer' }))
  expect([latest.name, latest.version, latest.export]).toEqual(['inc', 1, 'inc'])
  const one = await h.call('GET', '/v1/tasks/inc/versions/1', { role: 'viewer' })
  expect(one.status).toBe(200)
  const missing = await h.call('GET', '/v1/tasks/inc/versions/7')
  expect([missing.status, (await json(missing)).detail]).toEqual([
    404,
    'task "inc" has no version 7',
  ])
  const none = await h.call('GET', '/v1/tasks/nothing')
  expect([none.status, (await json(none)).detail]).toEqual([404, 'task "nothing" is not published'])
  const badVersion = await h.call('GET', '/v1/tasks/inc/versions/abc')
  expect(badVersion.status).toBe(400)
  expect((await json(badVersion)).errors?.[0]?.parameter).toBe('version')
})

test('POST /v1/flows/check reports every problem without publishing', async () => {
  const ok = await json(await h.call('POST', '/v1/flows/check', { json: addTwo }))
  expect([ok.ok, ok.problems]).toEqual([true, []])
  expect((ok.flow as { steps: { task: string }[] }).steps[0]?.task).toBe('inc@1')
  const bad = {
    ...addTwo,
    name: 'checked-only',
    steps: [
      { id: 'a', task: 'missing-task' },
      { id: 'a', task: 'inc' },
    ],
  }
  const response = await h.call('POST', '/v1/flows/check', { json: bad })
  expect(response.status).toBe(200)
  const body = await json(response)
  expect(body.ok).toBe(false)
  expect((body.problems as { pointer: string; message: string }[]).map((p) => p.pointer)).toEqual([
    '/steps/1/id',
    '/steps/0/task',
    '/steps/1',
    '/output/n',
  ])
  expect(await h.store.getFlow('checked-only')).toBeUndefined()
})

test('POST /v1/flows publishes a checked flow; unchanged republishing keeps the version', async () => {
  const flow = { ...addTwo, name: 'add-two-again', process: 'math/extra' }
  const first = await h.call('POST', '/v1/flows', { role: 'publisher', json: flow })
  expect(first.status).toBe(201)
  expect((await json(first)).flow).toMatchObject({
    name: 'add-two-again',
    version: 1,
    process: 'math/extra',
  })
  const again = await h.call('POST', '/v1/flows', { role: 'publisher', json: flow })
  expect([again.status, (await json(again)).created]).toEqual([200, false])
})

test('a flow with type errors is 422 with pointers; malformed JSON is 400', async () => {
  const flow = {
    ...addTwo,
    name: 'broken',
    steps: [{ id: 'a', task: 'inc', input: { n: '${input.missing}' } }],
  }
  const response = await h.call('POST', '/v1/flows', { json: flow })
  expect(response.status).toBe(422)
  const body = await json(response)
  expect(body.errors?.[0]?.pointer).toBe('/steps/0/input/n')
  expect(body.detail).toMatch(/^flow: \/steps\/0\/input\/n: /)
  const malformed = await h.app.request('/v1/flows', {
    method: 'POST',
    headers: { authorization: `Bearer ${h.keys.admin}`, 'content-type': 'application/json' },
    body: '{"name": ',
  })
  expect(malformed.status).toBe(400)
  expect((await json(malformed)).detail).toMatch(/^the body is not valid JSON: /)
})

test('flows are listed by process and read by name and version', async () => {
  const math = await json(await h.call('GET', '/v1/flows?process=math', { role: 'viewer' }))
  // add-two-again is in math/extra, a sub-process of math.
  expect((math.items as { name: string }[]).map((f) => f.name)).toEqual([
    'add-two',
    'add-two-again',
  ])
  const latest = await json(await h.call('GET', '/v1/flows/add-two', { role: 'viewer' }))
  expect([latest.name, latest.version, latest.process]).toEqual(['add-two', 1, 'math'])
  expect((await h.call('GET', '/v1/flows/add-two/versions/1')).status).toBe(200)
  const missing = await h.call('GET', '/v1/flows/add-two/versions/3')
  expect([missing.status, (await json(missing)).detail]).toEqual([
    404,
    'flow "add-two" has no version 3',
  ])
})

test('starting an unpublished flow is 404, with the published name closest to it', async () => {
  const typo = await h.call('POST', '/v1/flows/add-tow/runs', { json: { input: { n: 1 } } })
  expect([typo.status, (await json(typo)).detail]).toEqual([
    404,
    'flow "add-tow" is not published; did you mean "add-two"?',
  ])
  const unlike = await h.call('POST', '/v1/flows/welcome/runs', { json: { input: { n: 1 } } })
  expect([unlike.status, (await json(unlike)).detail]).toEqual([
    404,
    'flow "welcome" is not published',
  ])
})

test('bodies over the limits are 413, before the body is read when Content-Length says so', async () => {
  const big = { ...addTwo, description: 'x'.repeat(5000) }
  const response = await h.call('POST', '/v1/flows', { json: big })
  expect(response.status).toBe(413)
  expect((await json(response)).detail).toBe('the body is larger than the limit of 4096 bytes')
  const huge = new Uint8Array(300_000)
  const upload = await h.call('PUT', `/v1/components/${sha256Hex(huge)}`, { bytes: huge })
  expect([upload.status, (await json(upload)).code]).toEqual([413, 'payload_too_large'])
  let pulled = 0
  const stream = new ReadableStream(
    {
      pull(controller) {
        pulled++
        controller.enqueue(new Uint8Array(10))
        controller.close()
      },
    },
    { highWaterMark: 0 },
  )
  const declared = await h.app.request('/v1/flows', {
    method: 'POST',
    headers: { authorization: `Bearer ${h.keys.admin}`, 'content-length': '1000000' },
    body: stream,
    duplex: 'half',
  } as RequestInit)
  expect([declared.status, pulled]).toEqual([413, 0])
})

test('unknown routes are 404 problems', async () => {
  const response = await h.call('GET', '/v1/nothing')
  expect(response.status).toBe(404)
  expect(await json(response)).toEqual({
    type: 'https://weir.dev/problems/not-found',
    title: 'Not found',
    status: 404,
    detail: 'no route for GET /v1/nothing',
    code: 'not_found',
  })
})

test("a flow's output schema is computed at publish and shown; versions stored without one get theirs from the backfill", async () => {
  const flow = { ...addTwo, name: 'add-two-typed', process: 'math' }
  const published = await h.call('POST', '/v1/flows', { role: 'publisher', json: flow })
  const outputSchema = {
    type: 'object',
    properties: { n: { type: 'integer', minimum: 0, maximum: 4294967295 } },
    required: ['n'],
    additionalProperties: false,
  }
  expect((await json(published)).flow).toMatchObject({ outputSchema, nesting: 0 })
  // A version as weir stored them before it computed output schemas.
  await h.store.publishFlow({ ...flow, description: 'older weir' } as FlowDocument, 'math')
  const before = await json(await h.call('GET', '/v1/flows/add-two-typed', { role: 'viewer' }))
  expect([before.version, before.outputSchema]).toEqual([2, {}])
  expect(await h.catalog.backfillFlowOutputs()).toBe(1)
  expect(await h.catalog.backfillFlowOutputs()).toBe(0)
  const after = await json(await h.call('GET', '/v1/flows/add-two-typed', { role: 'viewer' }))
  expect([after.version, after.outputSchema]).toEqual([2, outputSchema])
})
