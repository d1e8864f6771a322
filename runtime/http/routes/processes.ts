/** Processes (viewer): every process flows are published in, with how many flows each holds. */
import { itemsOf } from '../api-schemas.js'
import type { Route } from '../route.js'

export const processRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/processes',
    operationId: 'listProcesses',
    summary:
      'Every process with how many flows it holds itself (sub-processes such as `billing/eu` are listed on their own)',
    tag: 'flows',
    role: 'viewer',
    responses: { 200: { description: 'Processes', schema: itemsOf('Process') } },
    async handle(_request, { store }) {
      return { status: 200, body: { items: await store.listProcesses() } }
    },
  },
]
