/**
 * `GET /health` (liveness: 200 while the process lives, with the version and
 * whether storage takes writes) and `GET /health/ready` (readiness: 503 while
 * storage is unavailable or the server is stopping). Both open to everyone.
 */
import { WeirError } from '../../errors.js'
import type { Route } from '../route.js'

const storage = { enum: ['ok', 'unavailable'] }

export const healthRoutes: Route[] = [
  {
    method: 'get',
    path: '/health',
    operationId: 'health',
    summary:
      'Liveness, version and storage status (no key needed); 200 while the process lives, even when storage is unavailable',
    tag: 'server',
    role: undefined,
    responses: {
      200: {
        description: 'The process is up; `status` is `stopping` once it has begun to stop',
        schema: {
          type: 'object',
          required: ['status', 'version', 'storage'],
          properties: {
            status: { enum: ['ok', 'stopping'] },
            version: { type: 'string' },
            storage,
          },
        },
      },
    },
    async handle(_request, { engine, store, version }) {
      const status = engine.stopping ? 'stopping' : 'ok'
      return { status: 200, body: { status, version, storage: store.storage.status } }
    },
  },
  {
    method: 'get',
    path: '/health/ready',
    operationId: 'ready',
    summary:
      'Readiness (no key needed): 200 when weir takes work; 503 (with Retry-After) while storage is unavailable or the server is stopping',
    tag: 'server',
    role: undefined,
    responses: {
      200: {
        description: 'Ready: storage takes writes and the server is not stopping',
        schema: {
          type: 'object',
          required: ['status', 'storage'],
          properties: { status: { const: 'ready' }, storage: { const: 'ok' } },
        },
      },
    },
    async handle(_request, { engine, store }) {
      if (engine.stopping)
        throw new WeirError('unavailable', 'the server is stopping and takes no new runs')
      // Unavailable storage is probed (at most once a second) so that a quiet server comes back.
      if ((await store.storage.check()) === 'unavailable')
        throw store.storage.fault ?? new WeirError('storage_unavailable', 'storage is unavailable')
      return { status: 200, body: { status: 'ready', storage: 'ok' } }
    },
  },
]
