/**
 * What a drawing of a flow holds before it is placed: the boxes (start, each
 * step, end) with their text and size, and the edges between them, derived
 * from the checker's graph (`buildGraph`) so that the drawing and the checker
 * agree on every transition. Shared by both placements (`dagre-placement`,
 * `column-placement`), which then turn specs into `LayoutNode` / `LayoutEdge`.
 */
import { buildGraph, type Target, type Transition } from '../../../types/checker/flow-graph.js'
import type { FlowDocument } from '../../../types/index.js'
import type { EdgeKind, LayoutEdge, LayoutNode, NodeKind, Point } from './flow-layout.js'
import {
  labelHeight,
  labelWidth,
  maxLabelChars,
  maxLineChars,
  nodeHeight,
  nodeWidth,
  round,
  shorten,
  terminalHeight,
  terminalWidth,
} from './graph-metrics.js'
import { stepKind, stepLines } from './step-text.js'

/** A box before placement. */
export interface NodeSpec {
  readonly id: string
  readonly kind: NodeKind
  readonly lines: readonly string[]
  readonly title: string
  readonly width: number
  readonly height: number
}

/** An edge before placement, between node indexes. */
export interface EdgeSpec {
  readonly v: number
  readonly w: number
  readonly kind: EdgeKind
  /** The label as drawn (shortened), absent for a plain `next` or a fall-through. */
  readonly label?: string
  /** The full label, when `label` was shortened. */
  readonly title?: string
}

/** The boxes (start first, end last, steps in document order between) and edges of a flow. */
export interface FlowSpecs {
  readonly nodes: readonly NodeSpec[]
  readonly edges: readonly EdgeSpec[]
}

/**
 * The specs of a flow. A document that does not check (duplicate ids, unknown
 * targets) is still drawn: a duplicate step and an edge to an unknown step are
 * left out.
 */
export function flowSpecs(document: FlowDocument): FlowSpecs {
  const graph = buildGraph(document)
  const nodes: NodeSpec[] = [terminal('start')]
  const nodeOf = new Map<number, number>()
  for (const [index, step] of document.steps.entries()) {
    if (graph.indexOf.get(step.id) !== index) continue
    const full = stepLines(step)
    const lines = full.map((line) => shorten(line, maxLineChars))
    const longest = Math.max(...lines.map((line) => [...line].length))
    const title = [...full, ...(step.description ? [step.description] : [])].join('\n')
    nodeOf.set(index, nodes.length)
    nodes.push({
      id: step.id,
      kind: stepKind(step),
      lines,
      title,
      width: nodeWidth(longest),
      height: nodeHeight(lines.length),
    })
  }
  const end = nodes.length
  nodes.push(terminal('end'))

  const at = (target: Target): number | undefined => (target === 'end' ? end : nodeOf.get(target))
  const edges: EdgeSpec[] = []
  const seen = new Set<string>()
  const add = (v: number | undefined, w: number | undefined, kind: EdgeKind, full?: string) => {
    const key = `${v} ${w} ${kind} ${full ?? ''}`
    if (v === undefined || w === undefined || seen.has(key)) return
    seen.add(key)
    const label = full === undefined ? undefined : shorten(full, maxLabelChars)
    edges.push({
      v,
      w,
      kind,
      ...(label === undefined ? {} : { label }),
      ...(label !== full ? { title: full } : {}),
    })
  }
  add(0, document.steps.length > 0 ? at(0) : end, 'next')
  for (const step of graph.steps) {
    const v = nodeOf.get(step.index)
    for (const t of step.success) add(v, at(t.target), 'next', successLabel(t))
    if (step.error) add(v, at(step.error.target), 'error', 'error')
  }
  return { nodes, edges }
}

function terminal(kind: 'start' | 'end'): NodeSpec {
  return {
    id: kind,
    kind,
    lines: [kind],
    title: kind,
    width: terminalWidth,
    height: terminalHeight,
  }
}

/** A condition's text, `else` for an else edge, nothing for a plain `next` or a fall-through. */
function successLabel(transition: Transition): string | undefined {
  if (transition.condition !== undefined) return transition.condition
  return transition.edge !== undefined ? 'else' : undefined
}

/** A placed box: the spec at centre (`x`, `y`), `height` when the placement made it taller. */
export function placedNode(spec: NodeSpec, x: number, y: number, height = spec.height): LayoutNode {
  return { ...spec, x: round(x), y: round(y), height }
}

/** A routed edge: the spec with its points and, when it has a label, the label's centre. */
export function routedEdge(
  specs: FlowSpecs,
  edge: EdgeSpec,
  points: readonly Point[],
  labelAt: Point | undefined,
): LayoutEdge {
  const from = specs.nodes[edge.v]?.id ?? ''
  const to = specs.nodes[edge.w]?.id ?? ''
  const base = {
    from,
    to,
    source: edge.v,
    target: edge.w,
    key: `${from}->${to}`,
    kind: edge.kind,
    points: points.map((p) => ({ x: round(p.x), y: round(p.y) })),
  }
  if (edge.label === undefined || labelAt === undefined) return base
  const labelBox = {
    x: round(labelAt.x),
    y: round(labelAt.y),
    width: labelWidth(edge.label),
    height: labelHeight,
  }
  return {
    ...base,
    label: edge.label,
    ...(edge.title === undefined ? {} : { title: edge.title }),
    labelBox,
  }
}
