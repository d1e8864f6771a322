/**
 * Draws a laid-out flow as an SVG string, optionally marked with where a run
 * went. Styling is by class only (`flowGraphCss`): no `style` attributes and
 * no script, so the markup passes a Content-Security-Policy that forbids
 * inline styles and scripts. Every text from the document is escaped.
 */
import type { FlowLayout, LayoutEdge, LayoutNode, Point } from './flow-layout.js'
import { nodeLineHeight, nodePaddingY } from './graph-metrics.js'
import { escapeXml } from './svg-text.js'

/**
 * Where a run went, to mark on the drawing. `visited` holds step ids; `taken`
 * holds edge keys `${from}->${to}` (`start` and `end` for the terminals);
 * `current` is the step the run is at and `failed` the step it failed at.
 */
export interface FlowMark {
  readonly visited?: ReadonlySet<string>
  readonly taken?: ReadonlySet<string>
  readonly current?: string
  readonly failed?: string
}

const markerIds = { plain: 'weir-arrow', taken: 'weir-arrow-taken', error: 'weir-arrow-error' }

/**
 * The `<svg>` of a layout. Node groups carry `data-step` (their step id) and
 * edge groups `data-edge` (their key), for the page to link or highlight.
 */
export function renderFlowSvg(layout: FlowLayout, mark?: FlowMark): string {
  const taken = mark?.taken ?? new Set<string>()
  const marked = mark !== undefined && (taken.size > 0 || (mark.visited?.size ?? 0) > 0)
  const isTaken = (edge: LayoutEdge) => taken.has(edge.key)
  const out: string[] = []
  const title = layout.version === undefined ? layout.name : `${layout.name}@${layout.version}`
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="flow-graph${marked ? ' marked' : ''}"`,
    ` viewBox="0 0 ${layout.width} ${layout.height}" width="${layout.width}" height="${layout.height}"`,
    ` role="img" aria-label="${escapeXml(`flow ${title}`)}">`,
    '<defs>',
    ...Object.entries(markerIds).map(([kind, id]) => marker(id, kind)),
    '</defs>',
    '<g class="edges">',
  )
  for (const edge of layout.edges) out.push(renderEdge(edge, isTaken(edge)))
  out.push('</g><g class="edge-labels">')
  for (const edge of layout.edges) {
    if (edge.label !== undefined) out.push(renderLabel(edge, isTaken(edge)))
  }
  out.push('</g><g class="nodes">')
  // A terminal is reached when an edge into or out of it was taken.
  const touched = new Set<number>()
  for (const edge of layout.edges) {
    if (!isTaken(edge)) continue
    touched.add(edge.source)
    touched.add(edge.target)
  }
  for (const [i, node] of layout.nodes.entries()) {
    const classes = ['node', node.kind]
    if (node.kind === 'start' || node.kind === 'end') {
      if (touched.has(i)) classes.push('visited')
    } else {
      if (mark?.visited?.has(node.id)) classes.push('visited')
      if (mark?.current === node.id) classes.push('current')
      if (mark?.failed === node.id) classes.push('failed')
    }
    out.push(renderNode(node, classes))
  }
  out.push('</g></svg>')
  return out.join('')
}

function marker(id: string, kind: string): string {
  return (
    `<marker id="${id}" class="arrow ${kind}" viewBox="0 0 10 10" refX="9" refY="5"` +
    ` markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" orient="auto-start-reverse">` +
    '<path d="M0,0L10,5L0,10z"/></marker>'
  )
}

function renderEdge(edge: LayoutEdge, taken: boolean): string {
  const classes = ['edge']
  if (edge.kind === 'error') classes.push('error-edge')
  if (taken) classes.push('taken')
  const arrow = taken ? markerIds.taken : edge.kind === 'error' ? markerIds.error : markerIds.plain
  const tip = edge.title ?? edge.label
  return (
    `<g class="${classes.join(' ')}" data-edge="${escapeXml(edge.key)}">` +
    (tip === undefined ? '' : `<title>${escapeXml(tip)}</title>`) +
    `<path d="${pathData(edge.points)}" marker-end="url(#${arrow})"/></g>`
  )
}

function renderLabel(edge: LayoutEdge, taken: boolean): string {
  const box = edge.labelBox
  if (box === undefined || edge.label === undefined) return ''
  const classes = ['edge-label']
  if (edge.kind === 'error') classes.push('error-edge')
  if (taken) classes.push('taken')
  const left = num(box.x - box.width / 2)
  const top = num(box.y - box.height / 2)
  return (
    `<g class="${classes.join(' ')}" data-edge="${escapeXml(edge.key)}">` +
    (edge.title === undefined ? '' : `<title>${escapeXml(edge.title)}</title>`) +
    `<rect x="${left}" y="${top}" width="${box.width}" height="${box.height}" rx="3"/>` +
    `<text x="${num(box.x)}" y="${num(box.y + 4)}">${escapeXml(edge.label)}</text></g>`
  )
}

function renderNode(node: LayoutNode, classes: readonly string[]): string {
  const left = node.x - node.width / 2
  const top = node.y - node.height / 2
  const terminal = node.kind === 'start' || node.kind === 'end'
  const radius = terminal ? node.height / 2 : 6
  const step = terminal ? '' : ` data-step="${escapeXml(node.id)}"`
  const first = terminal ? node.y + 4 : top + nodePaddingY + nodeLineHeight - 4
  const texts = node.lines.map((line, i) => {
    const cls = i === 0 ? 'id' : line.startsWith('undo: ') ? 'undo' : 'call'
    const y = num(first + i * nodeLineHeight)
    return `<text class="${cls}" x="${num(node.x)}" y="${y}">${escapeXml(line)}</text>`
  })
  return (
    `<g class="${classes.join(' ')}"${step}><title>${escapeXml(node.title)}</title>` +
    `<rect x="${num(left)}" y="${num(top)}" width="${node.width}" height="${node.height}"` +
    ` rx="${radius}"/>${texts.join('')}</g>`
  )
}

/** Corner radius of an edge's bends. */
const bendRadius = 8

/**
 * A path through the points with rounded bends: straight segments, each bend
 * a quadratic curve cut at most `bendRadius` (or half a segment) from it.
 */
function pathData(points: readonly Point[]): string {
  const [first] = points
  if (first === undefined) return ''
  let d = `M${num(first.x)},${num(first.y)}`
  for (let i = 1; i < points.length - 1; i++) {
    const before = points[i - 1] as Point
    const bend = points[i] as Point
    const after = points[i + 1] as Point
    const into = toward(bend, before, bendRadius)
    const out = toward(bend, after, bendRadius)
    d += `L${num(into.x)},${num(into.y)}Q${num(bend.x)},${num(bend.y)} ${num(out.x)},${num(out.y)}`
  }
  const last = points[points.length - 1]
  if (last !== undefined && points.length > 1) d += `L${num(last.x)},${num(last.y)}`
  return d
}

/** The point `radius` from `from` toward `to`, but no farther than halfway. */
function toward(from: Point, to: Point, radius: number): Point {
  const dx = to.x - from.x
  const dy = to.y - from.y
  const length = Math.hypot(dx, dy)
  if (length === 0) return from
  const t = Math.min(radius, length / 2) / length
  return { x: from.x + dx * t, y: from.y + dy * t }
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10)
}
