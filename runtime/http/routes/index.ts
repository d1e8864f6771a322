/** The route table: every route of the API, in the order the OpenAPI document lists them. */
import { openApiDocument } from '../openapi.js'
import type { Route } from '../route.js'
import { auditRoutes } from './audit.js'
import { callbackRoutes } from './callbacks.js'
import { componentRoutes } from './components.js'
import { flowRoutes } from './flows.js'
import { healthRoutes } from './health.js'
import { keyRoutes } from './keys.js'
import { nodeRoutes } from './nodes.js'
import { processRoutes } from './processes.js'
import { runEventRoute, runOperationRoutes } from './run-operations.js'
import { runRoutes } from './runs.js'
import { scheduleRoutes } from './schedules.js'
import { secretRoutes } from './secrets.js'
import { taskRoutes } from './tasks.js'

export const routes: Route[] = [
  ...healthRoutes,
  ...componentRoutes,
  ...taskRoutes,
  ...flowRoutes,
  ...processRoutes,
  ...runRoutes,
  ...runOperationRoutes,
  runEventRoute,
  ...callbackRoutes,
  ...scheduleRoutes,
  ...keyRoutes,
  ...secretRoutes,
  ...nodeRoutes,
  ...auditRoutes,
]

let document: { version: string; body: unknown } | undefined

routes.push({
  method: 'get',
  path: '/openapi.json',
  operationId: 'openApi',
  summary: 'This API as an OpenAPI 3.1 document',
  tag: 'server',
  role: undefined,
  responses: { 200: { description: 'The OpenAPI document', schema: { type: 'object' } } },
  async handle(_request, { version }) {
    if (document?.version !== version)
      document = { version, body: openApiDocument(routes, version) }
    return { status: 200, body: document.body }
  },
})
