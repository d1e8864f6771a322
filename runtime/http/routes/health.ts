/** `GET /health`: liveness and version; open to everyone. */
import type { Route } from '../route.js'

export const healthRoutes: Route[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary: 'Liveness and version (no key needed); 503 while the server is stopping',
    tag: 'server',
    role: undefined,
    responses: {
      200: {
        description: 'The server is up',
        schema: {
          type: 'object',
          required: ['status', 'version'],
          properties: { status: { const: 'ok' }, version: { type: 'string' } },
        },
      },
    },
    async handle(_request, { engine, version }) {
      if (engine.stopping) return { status: 503, body: { status: 'stopping', version } }
      return { status: 200, body: { status: 'ok', version } }
    },
  },
]
