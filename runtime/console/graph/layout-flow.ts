/**
 * Lays a flow document out top to bottom for drawing: a node per step between
 * `start` and `end`, an edge per transition the checker's graph knows (edges in
 * order, the fall-through, `onError` routes, loops). Dagre places flows of up
 * to `dagreStepLimit` steps; larger ones, and those whose depth exhausts dagre's
 * recursion, are placed in one column. Pure and synchronous, and dagre's part
 * is slow (about 1 ms a step: a second for 1,000 steps, which would stall the
 * server, hence the limit of 200), so callers cache the result per flow
 * version (`FlowGraphCache`).
 */
import type { FlowDocument } from '../../../types/index.js'
import { placeInColumn } from './column-placement.js'
import { placeWithDagre } from './dagre-placement.js'
import type { FlowLayout } from './flow-layout.js'
import { flowSpecs } from './flow-specs.js'

/** Most steps a flow may have to be placed by dagre (beyond, its time and stack grow too much). */
export const dagreStepLimit = 200

/** Positions the nodes and routes the edges of a flow. */
export function layoutFlow(document: FlowDocument): FlowLayout {
  const specs = flowSpecs(document)
  const { name, version } = document
  if (specs.nodes.length - 2 > dagreStepLimit) return placeInColumn(name, version, specs)
  try {
    return placeWithDagre(name, version, specs)
  } catch (error) {
    // Dagre recurses along the flow's longest path: a deep enough one overflows the stack.
    if (error instanceof RangeError) return placeInColumn(name, version, specs)
    throw error
  }
}
