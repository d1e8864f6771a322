/**
 * Drawing a flow for the console: `layoutFlow` places a flow document's steps
 * and edges (dagre, top to bottom), `FlowGraphCache` keeps one layout per flow
 * version, `pathOf` turns a run's step runs into what it visited and took, and
 * `renderFlowSvg` writes the SVG, styled by `flowGraphCss`.
 *
 * @module
 */
export { FlowGraphCache, type FlowGraphCacheOptions } from './flow-graph-cache.js'
export { flowGraphCss } from './flow-graph-css.js'
export type {
  EdgeKind,
  FlowLayout,
  LayoutEdge,
  LayoutNode,
  NodeKind,
  Point,
  StepKind,
} from './flow-layout.js'
export { layoutFlow } from './layout-flow.js'
export { type FlowMark, renderFlowSvg } from './render-svg.js'
export { type PathStepRun, pathOf } from './run-path.js'
