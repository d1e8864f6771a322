/**
 * Places a flow's boxes and routes its edges with dagre (layered drawing, top
 * to bottom, in document order): labels get their own room, loops go back up
 * the side. Dagre is recursive, so a very deep flow can exhaust the stack
 * (`layoutFlow` then falls back to the column placement), and it is the slow
 * part of a layout.
 */
import { type EdgeLabel, Graph, type GraphLabel, layout, type NodeLabel } from '@dagrejs/dagre'
import type { FlowLayout, Point } from './flow-layout.js'
import { type FlowSpecs, placedNode, routedEdge } from './flow-specs.js'
import { labelHeight, labelWidth } from './graph-metrics.js'

/** Extra width reserved beside a step for a loop back into it. */
const selfLoopReach = 24
/** Largest drawing (in nodes) whose edge crossings dagre reduces; see `placeWithDagre`. */
const orderedNodesLimit = 300

/** The layout of `specs` as dagre places it. */
export function placeWithDagre(
  name: string,
  version: number | undefined,
  specs: FlowSpecs,
): FlowLayout {
  const g = new Graph<GraphLabel, NodeLabel, EdgeLabel>({ multigraph: true })
  g.setGraph({ rankdir: 'TB', nodesep: 28, edgesep: 12, ranksep: 40, marginx: 16, marginy: 16 })
  for (const [i, node] of specs.nodes.entries()) {
    g.setNode(String(i), { width: node.width, height: node.height })
  }
  for (const [i, edge] of specs.edges.entries()) {
    const width = edge.label === undefined ? 0 : labelWidth(edge.label)
    // A loop on one step is drawn here, not by dagre: its reserved box also holds the loop.
    const label: EdgeLabel =
      edge.v === edge.w
        ? { width: width + selfLoopReach, height: labelHeight, labelpos: 'c' }
        : edge.label === undefined
          ? { width: 0, height: 0 }
          : { width, height: labelHeight, labelpos: 'c' }
    // The straight path of plain steps is pulled harder, so the main line stays straight.
    label.weight = edge.kind === 'next' && edge.label === undefined ? 2 : 1
    // Loops are the edges back up the document: given to dagre reversed, so the steps are
    // ranked in document order rather than in whatever order dagre's own search breaks cycles.
    const back = edge.w < edge.v
    g.setEdge(String(back ? edge.w : edge.v), String(back ? edge.v : edge.w), label, String(i))
  }
  // Dagre's crossing reduction is most of its time; past a size the initial (depth-first) order is kept.
  layout(g, { disableOptimalOrderHeuristic: specs.nodes.length > orderedNodesLimit })

  const nodes = specs.nodes.map((spec, i) => {
    const at = g.node(String(i))
    return placedNode(spec, at.x ?? 0, at.y ?? 0)
  })
  const loops = new Map<number, number>()
  const edges = specs.edges.map((edge, i) => {
    const back = edge.w < edge.v
    const at = g.edge(String(back ? edge.w : edge.v), String(back ? edge.v : edge.w), String(i))
    if (edge.v !== edge.w) {
      const labelAt = at.x === undefined || at.y === undefined ? undefined : { x: at.x, y: at.y }
      const points = at.points ?? []
      return routedEdge(specs, edge, back ? [...points].reverse() : points, labelAt)
    }
    const nth = loops.get(edge.v) ?? 0
    loops.set(edge.v, nth + 1)
    const width = edge.label === undefined ? 0 : labelWidth(edge.label)
    const loop = selfLoop(g.node(String(edge.v)), at, nth, width)
    return routedEdge(specs, edge, loop.points, loop.labelAt)
  })
  const size = g.graph()
  return {
    name,
    version,
    width: Math.ceil(size.width ?? 0),
    height: Math.ceil(size.height ?? 0),
    nodes,
    edges,
  }
}

/**
 * A loop from a step's right side back into it, inside the box dagre reserved
 * beside the step (`selfLoopReach` wider than the label). The `nth` loop of one
 * step goes around the ones before it.
 */
function selfLoop(
  node: NodeLabel,
  reserved: EdgeLabel,
  nth: number,
  labelWidth: number,
): { points: Point[]; labelAt: Point } {
  const x = node.x ?? 0
  const y = node.y ?? 0
  const right = x + node.width / 2
  const boxLeft = (reserved.x ?? right) - (reserved.width ?? 0) / 2
  const outer = Math.max(right + 16, boxLeft + 8)
  const dy = Math.min(node.height / 2 - 2, 6 + 8 * nth)
  const points = [
    { x: right, y: y - dy },
    { x: outer, y: y - dy },
    { x: outer, y: y + dy },
    { x: right, y: y + dy },
  ]
  return { points, labelAt: { x: outer + 4 + labelWidth / 2, y } }
}
