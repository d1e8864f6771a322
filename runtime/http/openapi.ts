/**
 * The OpenAPI 3.1 document, built from the route table: every route with its
 * parameters, body, success responses and the problem+json errors it can give.
 * weir's document schemas (flow, task, value schema) are published as components
 * (openapi-schemas.ts), so generators and linters resolve every reference.
 */
import flowSchema from '../../types/schemas/flow.schema.json' with { type: 'json' }
import taskSchema from '../../types/schemas/task.schema.json' with { type: 'json' }
import valueSchema from '../../types/schemas/value-schema.schema.json' with { type: 'json' }
import { ref, resourceSchemas } from './api-schemas.js'
import { publishSchemas } from './openapi-schemas.js'
import type { ResponseSpec, Route, Schema } from './route.js'

function errorResponses(route: Route): Record<string, Schema> {
  const problem = (description: string) => ({
    description,
    content: { 'application/problem+json': { schema: ref('Problem') } },
  })
  const out: Record<string, Schema> = {}
  // Every route refuses query parameters it does not declare, so every route can answer 400.
  out[400] = problem(
    'Malformed request, a bad parameter, or a query parameter the route does not take',
  )
  if (route.role) {
    out[401] = {
      ...problem('Missing or invalid API key'),
      headers: {
        'WWW-Authenticate': { description: 'Bearer realm="weir"', schema: { type: 'string' } },
      },
    }
    out[403] = problem(`The key's role is below ${route.role}`)
  }
  if (route.parameters?.some((p) => p.in === 'path')) out[404] = problem('Not found')
  if (route.method === 'post' && route.path.startsWith('/v1/runs/'))
    out[409] = problem('The run is not in a state for this')
  if (route.body) {
    out[413] = problem('The body is over the size limit')
    out[422] = problem(
      route.parameters?.some((p) => p.name === 'Idempotency-Key')
        ? 'The body fails validation (errors has a pointer for each problem), or the Idempotency-Key was used before with another body (idempotency_key_reused)'
        : 'The body fails validation; errors has a pointer for each problem',
    )
  }
  if (route.path.startsWith('/v1/')) {
    const why =
      route.operationId === 'startRun'
        ? 'The database cannot be written (storage_unavailable), the server is stopping, or it holds its limit of active runs or, with ?wait, of waiting callers; nothing was started'
        : route.parameters?.some((p) => p.name === 'follow')
          ? 'The database cannot be written (storage_unavailable), the server is stopping, or, with ?follow, it holds its limit of open live streams'
          : 'The database cannot be written (storage_unavailable) or the server is stopping'
    out[503] = {
      ...problem(why),
      headers: { 'Retry-After': { description: 'seconds to wait', schema: { type: 'integer' } } },
    }
  }
  return out
}

/**
 * Success answers that carry a `Location` header (the resource's relative URL):
 * status → whether every such answer has it (a refused start has none).
 */
const locations: Readonly<Record<string, Readonly<Record<string, boolean>>>> = {
  startRun: { 201: true, 200: false, 202: true },
  publishFlow: { 201: true, 200: true },
  publishTask: { 201: true, 200: true },
  createSchedule: { 201: true },
}

function locationHeader(route: Route, status: string): Schema {
  const required = locations[route.operationId]?.[status]
  if (required === undefined) return {}
  const description = required
    ? "the resource's URL, relative"
    : "the run's URL, relative; absent when the start was refused"
  return { headers: { Location: { description, required, schema: { type: 'string' } } } }
}

/** A success answer's media types: JSON, and a live stream's `text/event-stream` when it has one. */
function content(spec: ResponseSpec): Schema {
  const stream = spec.stream
    ? { 'text/event-stream': { schema: { type: 'string', description: spec.stream } } }
    : {}
  if (!spec.schema && !spec.stream) return {}
  return {
    content: { ...(spec.schema ? { 'application/json': { schema: spec.schema } } : {}), ...stream },
  }
}

function operation(route: Route): Schema {
  const responses: Record<string, Schema> = {}
  for (const [status, spec] of Object.entries(route.responses)) {
    responses[status] = {
      description: spec.stream
        ? `${spec.description}; with follow=1, a live stream`
        : spec.description,
      ...locationHeader(route, status),
      ...content(spec),
    }
  }
  return {
    operationId: route.operationId,
    summary: route.summary,
    tags: [route.tag],
    ...(route.role ? { security: [{ apiKey: [] }], 'x-weir-role': route.role } : { security: [] }),
    ...(route.parameters?.length
      ? {
          parameters: route.parameters.map((p) => ({
            name: p.name,
            in: p.in,
            description: p.description,
            required: p.required ?? false,
            schema: p.schema,
          })),
        }
      : {}),
    ...(route.body
      ? {
          requestBody: {
            required: route.body.whenEmpty === undefined,
            description: route.body.description,
            content: { [route.body.contentType]: { schema: route.body.schema } },
          },
        }
      : {}),
    responses: { ...responses, ...errorResponses(route) },
  }
}

const embedded = publishSchemas([
  { component: 'FlowDocument', schema: flowSchema },
  { component: 'TaskDocument', schema: taskSchema },
  { component: 'ValueSchema', schema: valueSchema },
])

export function openApiDocument(routes: readonly Route[], version: string): Schema {
  const paths: Record<string, Record<string, Schema>> = {}
  for (const route of routes) {
    paths[route.path] ??= {}
    ;(paths[route.path] as Record<string, Schema>)[route.method] = operation(route)
  }
  return embedded.publish({
    openapi: '3.1.0',
    info: {
      title: 'weir',
      version,
      license: { name: 'Apache-2.0', identifier: 'Apache-2.0' },
      description:
        'A durable flow runtime for WebAssembly components. Errors are application/problem+json.',
    },
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'weir_<id>_<secret>' },
      },
      schemas: { ...resourceSchemas, ...embedded.components },
    },
  }) as Schema
}
