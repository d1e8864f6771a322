/**
 * The shape of a laid-out flow drawing: positioned nodes (start, each step,
 * end) and routed edges, in SVG user units. Plain data, so a layout can be
 * cached per flow version and rendered many times with different run marks.
 */

/** What a step node is, named after the document field that makes the step. */
export type StepKind =
  | 'task'
  | 'flow'
  | 'parallel'
  | 'forEach'
  | 'set'
  | 'fail'
  | 'sleep'
  | 'waitFor'

/** A node is a step, or one of the two terminals every drawing has. */
export type NodeKind = StepKind | 'start' | 'end'

/** A point in the drawing's coordinates (origin top left, y down). */
export interface Point {
  readonly x: number
  readonly y: number
}

/** One box of the drawing. */
export interface LayoutNode {
  /** The step id; `start` and `end` for the terminals (tell them apart by `kind`). */
  readonly id: string
  readonly kind: NodeKind
  /** The text drawn in the box, shortened to fit: the id first, then what the step calls. */
  readonly lines: readonly string[]
  /** The full, unshortened text (and the step's description): the box's tooltip. */
  readonly title: string
  /** Centre of the box. */
  readonly x: number
  readonly y: number
  readonly width: number
  readonly height: number
}

/** `next` for a success transition (or start → first step), `error` for an `onError` route. */
export type EdgeKind = 'next' | 'error'

/** One arrow of the drawing. */
export interface LayoutEdge {
  /** Node ids, as in `LayoutNode.id`. */
  readonly from: string
  readonly to: string
  /** Indexes of the two nodes in `FlowLayout.nodes` (unambiguous where ids are not: a step may be named `start`). */
  readonly source: number
  readonly target: number
  /** `${from}->${to}`: what a run's `taken` set names. */
  readonly key: string
  readonly kind: EdgeKind
  /** The condition (shortened), `else`, `error`, or absent for a plain `next` or a fall-through. */
  readonly label?: string
  /** The full label when `label` was shortened. */
  readonly title?: string
  /** Where the arrow goes, first point on the source box, last on the target box. */
  readonly points: readonly Point[]
  /** Centre of the label's box, and its size, when there is a label. */
  readonly labelBox?: {
    readonly x: number
    readonly y: number
    readonly width: number
    readonly height: number
  }
}

/** A flow drawn top to bottom. */
export interface FlowLayout {
  readonly name: string
  readonly version: number | undefined
  readonly width: number
  readonly height: number
  readonly nodes: readonly LayoutNode[]
  readonly edges: readonly LayoutEdge[]
}
