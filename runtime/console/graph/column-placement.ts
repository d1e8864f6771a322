/**
 * A plain placement for flows too large for dagre: the boxes in one column in
 * document order (start on top, end at the bottom), an edge to the box just
 * below as a straight line, and every other edge (jumps, loops, error routes)
 * out of the right side of its box into a vertical lane shared by the edges
 * into the same box. Linear in the size of the flow and never recursive.
 */
import type { FlowLayout, Point } from './flow-layout.js'
import { type EdgeSpec, type FlowSpecs, placedNode, routedEdge } from './flow-specs.js'
import { labelWidth } from './graph-metrics.js'

const margin = 16
/** Vertical space between two boxes. */
const gap = 40
/** Vertical space between two ports on a box's right side. */
const portGap = 18
/** Horizontal space between two lanes. */
const laneGap = 14

/** The layout of `specs` in one column. */
export function placeInColumn(
  name: string,
  version: number | undefined,
  specs: FlowSpecs,
): FlowLayout {
  const count = specs.nodes.length
  // The first plain edge to the box just below is drawn straight; every other edge goes round.
  const straight = new Set<EdgeSpec>()
  const hasStraight = new Set<number>()
  for (const edge of specs.edges) {
    if (edge.w !== edge.v + 1 || edge.kind !== 'next' || hasStraight.has(edge.v)) continue
    straight.add(edge)
    hasStraight.add(edge.v)
  }
  const side = specs.edges.filter((edge) => !straight.has(edge))

  // Ports on the right side of each box: the entry of its lane first, then one exit per edge.
  const ports = Array.from({ length: count }, () => ({ entry: false, exits: 0 }))
  const exitIndex = new Map<EdgeSpec, number>()
  for (const edge of side) {
    const into = ports[edge.w]
    const from = ports[edge.v]
    if (into === undefined || from === undefined) continue
    into.entry = true
    exitIndex.set(edge, from.exits++)
  }
  const portCount = (i: number) => {
    const p = ports[i]
    return p === undefined ? 0 : p.exits + (p.entry ? 1 : 0)
  }
  const heights = specs.nodes.map((node, i) => Math.max(node.height, (portCount(i) + 1) * portGap))
  const tops: number[] = []
  let cursor = margin
  for (const height of heights) {
    tops.push(cursor)
    cursor += height + gap
  }
  const portY = (i: number, port: number): number => {
    const top = tops[i] ?? 0
    const height = heights[i] ?? 0
    return top + ((port + 1) * height) / (portCount(i) + 1)
  }

  const lanes = assignLanes(side, count)
  const widest = Math.max(...specs.nodes.map((node) => node.width))
  const cx = margin + widest / 2
  const sideLabels = side.map((edge) => (edge.label === undefined ? 0 : labelWidth(edge.label)))
  const straightLabels = [...straight].map((e) => (e.label === undefined ? 0 : labelWidth(e.label)))
  const laneBase = cx + widest / 2 + Math.max(0, ...sideLabels) + 20
  const laneCount = Math.max(0, ...lanes.values()) + (lanes.size > 0 ? 1 : 0)
  const right = Math.max(
    cx + widest / 2,
    cx + 6 + Math.max(0, ...straightLabels),
    laneCount > 0 ? laneBase + (laneCount - 1) * laneGap : 0,
  )

  const nodes = specs.nodes.map((spec, i) =>
    placedNode(spec, cx, (tops[i] ?? 0) + (heights[i] ?? 0) / 2, heights[i]),
  )
  const rightOf = (i: number) => cx + (specs.nodes[i]?.width ?? 0) / 2
  const edges = specs.edges.map((edge) => {
    const width = edge.label === undefined ? 0 : labelWidth(edge.label)
    if (straight.has(edge)) {
      const from = (tops[edge.v] ?? 0) + (heights[edge.v] ?? 0)
      const to = tops[edge.w] ?? 0
      const points: Point[] = [
        { x: cx, y: from },
        { x: cx, y: to },
      ]
      return routedEdge(specs, edge, points, { x: cx + 6 + width / 2, y: (from + to) / 2 })
    }
    const lane = laneBase + (lanes.get(edge.w) ?? 0) * laneGap
    const exitY = portY(edge.v, (ports[edge.v]?.entry ? 1 : 0) + (exitIndex.get(edge) ?? 0))
    const entryY = portY(edge.w, 0)
    const points: Point[] = [
      { x: rightOf(edge.v), y: exitY },
      { x: lane, y: exitY },
      { x: lane, y: entryY },
      { x: rightOf(edge.w), y: entryY },
    ]
    return routedEdge(specs, edge, points, { x: rightOf(edge.v) + 6 + width / 2, y: exitY })
  })
  return {
    name,
    version,
    width: Math.ceil(right + margin),
    height: Math.ceil(cursor - gap + margin),
    nodes,
    edges,
  }
}

/**
 * A lane per target box, shared by the side edges into it, spanning the rows
 * from the farthest of them to the box. Short spans are placed first, nearest
 * the boxes; a span takes the first lane none of whose spans it overlaps.
 */
function assignLanes(side: readonly EdgeSpec[], count: number): Map<number, number> {
  const spans = new Map<number, { low: number; high: number }>()
  for (const edge of side) {
    const span = spans.get(edge.w) ?? { low: edge.w, high: edge.w }
    span.low = Math.min(span.low, edge.v)
    span.high = Math.max(span.high, edge.v)
    spans.set(edge.w, span)
  }
  const ordered = [...spans].sort(([, a], [, b]) => a.high - a.low - (b.high - b.low))
  const used: Uint8Array[] = []
  const lanes = new Map<number, number>()
  for (const [target, { low, high }] of ordered) {
    let lane = used.findIndex((rows) => rows.subarray(low, high + 1).every((row) => row === 0))
    if (lane < 0) {
      lane = used.length
      used.push(new Uint8Array(count))
    }
    used[lane]?.fill(1, low, high + 1)
    lanes.set(target, lane)
  }
  return lanes
}
