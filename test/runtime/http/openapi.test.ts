/** The OpenAPI document and the app describe the same routes, and the document is well-formed. */
import { expect, test } from 'vitest'
import { createApp, honoPath } from '../../../runtime/http/app.js'
import { openApiDocument } from '../../../runtime/http/openapi.js'
import type { AppContext } from '../../../runtime/http/route.js'
import { routes } from '../../../runtime/http/routes/index.js'
import flowSchema from '../../../types/schemas/flow.schema.json' with { type: 'json' }

type Operation = {
  operationId: string
  'x-weir-role'?: string
  parameters?: { name: string; in: string }[]
  responses: Record<string, unknown>
  requestBody?: unknown
}
const document = openApiDocument(routes, '1.2.3') as {
  openapi: string
  info: { version: string }
  paths: Record<string, Record<string, Operation>>
  components: { schemas: Record<string, unknown> }
}

test('every route the app serves is in the document, and every documented route is served', () => {
  const app = createApp({} as AppContext)
  const served = app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`)
  const documented = Object.entries(document.paths).flatMap(([path, ops]) =>
    Object.keys(ops).map((method) => `${method.toUpperCase()} ${honoPath(path)}`),
  )
  expect(new Set(served)).toEqual(new Set(documented))
  expect(documented.length).toBe(routes.length)
})

test('each operation documents its path parameters, its errors and its body', () => {
  expect([document.openapi, document.info.version]).toEqual(['3.1.0', '1.2.3'])
  for (const [path, ops] of Object.entries(document.paths)) {
    const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1])
    for (const op of Object.values(ops)) {
      const inPath = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name)
      expect(inPath).toEqual(placeholders)
      expect(op.responses).toHaveProperty('400')
      if (op['x-weir-role'])
        expect(op.responses['401']).toMatchObject({
          headers: { 'WWW-Authenticate': { description: 'Bearer realm="weir"' } },
        })
      else expect(op.responses).not.toHaveProperty('401')
      if (op.requestBody) expect(op.responses).toHaveProperty('413')
    }
  }
  const refs = JSON.stringify(document).match(/#\/components\/schemas\/\w+/g) ?? []
  for (const ref of new Set(refs))
    expect(document.components.schemas).toHaveProperty(ref.split('/').at(-1) as string)
})

test('the document is served at /openapi.json without a key', async () => {
  const app = createApp({ version: '1.2.3' } as AppContext)
  const response = await app.request('/openapi.json')
  expect(response.status).toBe(200)
  expect(await response.json()).toEqual(document)
})

test('the published schemas refer only within the document and carry no keyword of weir’s own', () => {
  const text = JSON.stringify(document)
  expect(text.match(/"\$ref":"(?!#\/components\/schemas\/)[^"]*"/g)).toBeNull()
  expect(text.match(/"(errorMessages|tsType)":|"\$id":"/g)).toBeNull()
  expect(document.components.schemas.TaskDocument_capabilities).toMatchObject({ type: 'object' })
  expect(JSON.stringify(flowSchema)).toContain('"errorMessages":')
})

test('start answers declare Location, and a run always has waiting and idempotencyKey', () => {
  const start = document.paths['/v1/flows/{name}/runs']?.post?.responses as Record<
    string,
    { headers?: { Location?: { required: boolean } } }
  >
  expect(['200', '201', '202'].map((status) => start[status]?.headers?.Location?.required)).toEqual(
    [false, true, true],
  )
  expect(document.components.schemas.Run).toMatchObject({
    required: expect.arrayContaining(['waiting', 'idempotencyKey']),
    properties: { createdAt: { type: 'string', format: 'date-time' } },
  })
  expect(document.components.schemas.Event).toMatchObject({
    properties: { at: { type: 'string' }, type: { enum: expect.arrayContaining(['run_queued']) } },
  })
  const eventType = (document.components.schemas.Event as { properties: { type: { enum: [] } } })
    .properties.type
  expect(eventType.enum).toHaveLength(19)
})

test('the live run routes declare follow, Last-Event-ID and their text/event-stream answer', () => {
  for (const path of ['/v1/runs', '/v1/runs/{id}/events']) {
    const op = document.paths[path]?.get as Operation & {
      parameters: { name: string; in: string; schema: unknown }[]
    }
    expect(op.parameters.filter((p) => ['follow', 'Last-Event-ID'].includes(p.name))).toEqual([
      {
        name: 'follow',
        in: 'query',
        description: 'with 1 or true, answer a live text/event-stream instead of a page',
        required: false,
        schema: { enum: ['1', 'true', '0', 'false'] },
      },
      {
        name: 'Last-Event-ID',
        in: 'header',
        description: 'with follow: resume after the message with this id',
        required: false,
        schema: { type: 'string' },
      },
    ])
    const ok = op.responses['200'] as {
      description: string
      content: Record<string, { schema: { type?: string; description?: string } }>
    }
    expect(Object.keys(ok.content)).toEqual(['application/json', 'text/event-stream'])
    expect(ok.description).toMatch(/; with follow=1, a live stream$/)
    expect(ok.content['text/event-stream']?.schema.type).toBe('string')
    expect(op.responses['503']).toMatchObject({
      description:
        'The database cannot be written (storage_unavailable), the server is stopping, or, with ?follow, it holds its limit of open live streams',
    })
  }
  const events = document.paths['/v1/runs/{id}/events']?.get?.responses['200'] as {
    content: Record<string, { schema: { description: string } }>
  }
  expect(events.content['text/event-stream']?.schema.description).toContain(
    'a final message `event: end` with data {"status": <the run\'s status>}',
  )
  // Routes without a live form answer JSON only.
  const run = document.paths['/v1/runs/{id}']?.get?.responses['200'] as { content: object }
  expect(Object.keys(run.content)).toEqual(['application/json'])
})
