/** Nodes (viewer): the `weir serve` processes sharing the database that are alive, and the runs each owns. */
import { itemsOf } from '../api-schemas.js'
import { nodeResource } from '../resources.js'
import type { Route } from '../route.js'

export const nodeRoutes: Route[] = [
  {
    method: 'get',
    path: '/v1/nodes',
    operationId: 'listNodes',
    summary:
      'The live nodes (a heartbeat within one lease), each with the active runs it owns; this node first',
    tag: 'nodes',
    role: 'viewer',
    responses: { 200: { description: 'Nodes', schema: itemsOf('Node') } },
    async handle(_request, { store, engine }) {
      const nodes = await store.listNodes(engine.node.leaseMs)
      const self = engine.node.id
      const ordered = [...nodes.filter((n) => n.id === self), ...nodes.filter((n) => n.id !== self)]
      return { status: 200, body: { items: ordered.map((n) => nodeResource(n, self)) } }
    },
  },
]
