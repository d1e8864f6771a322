/**
 * The stylesheet a flow drawing needs. The SVG carries classes only (the
 * console's Content-Security-Policy forbids inline styles), so its look lives
 * here, for the console to include in its CSS file. Colours are custom
 * properties a theme may override on an enclosing element.
 */

/**
 * Rules for `renderFlowSvg`'s classes: `flow-graph` (the `<svg>`, plus `marked`
 * when a run is drawn on it), `node` with its kind (`start`, `end`, `task`,
 * `flow`, `parallel`, `forEach`, `set`, `fail`, `sleep`, `waitFor`) and
 * `visited` / `current` / `failed`, the text lines `id` / `call` / `undo`,
 * `edge` / `edge-label` with `error-edge` and `taken`, and the arrowheads
 * (`arrow` with `plain` / `taken` / `error`).
 */
export const flowGraphCss = `
.flow-graph {
  --fg-ink: #1f2328;
  --fg-muted: #656d76;
  --fg-line: #8c959f;
  --fg-box: #ffffff;
  --fg-border: #8c959f;
  --fg-terminal: #eaeef2;
  --fg-visited: #ddf4ff;
  --fg-visited-border: #0969da;
  --fg-taken: #0969da;
  --fg-current: #bf8700;
  --fg-current-box: #fff8c5;
  --fg-failed: #cf222e;
  --fg-failed-box: #ffebe9;
  --fg-error: #bc4c00;
  max-width: 100%;
  height: auto;
  font: 12px ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace;
}
.flow-graph text { fill: var(--fg-ink); text-anchor: middle; }
.flow-graph .node rect { fill: var(--fg-box); stroke: var(--fg-border); stroke-width: 1; }
.flow-graph .node text.id { font-weight: 600; }
.flow-graph .node text.call { fill: var(--fg-muted); }
.flow-graph .node text.undo { fill: var(--fg-muted); font-style: italic; }
.flow-graph .node.start rect, .flow-graph .node.end rect { fill: var(--fg-terminal); }
.flow-graph .node.start text, .flow-graph .node.end text { font-weight: 400; fill: var(--fg-muted); }
.flow-graph .node.fail rect { stroke-dasharray: 4 2; }
.flow-graph .node.parallel rect, .flow-graph .node.forEach rect { stroke-width: 2; }
.flow-graph .node.visited rect { fill: var(--fg-visited); stroke: var(--fg-visited-border); }
.flow-graph .node.current rect { fill: var(--fg-current-box); stroke: var(--fg-current); stroke-width: 2.5; }
.flow-graph .node.failed rect { fill: var(--fg-failed-box); stroke: var(--fg-failed); stroke-width: 2.5; }
.flow-graph .edge path { fill: none; stroke: var(--fg-line); stroke-width: 1.25; }
.flow-graph .edge.error-edge path { stroke: var(--fg-error); stroke-dasharray: 5 3; }
.flow-graph .edge.taken path { stroke: var(--fg-taken); stroke-width: 2.5; }
.flow-graph .edge-label rect { fill: var(--fg-box); stroke: none; opacity: 0.9; }
.flow-graph .edge-label text { font-size: 11px; fill: var(--fg-muted); }
.flow-graph .edge-label.error-edge text { fill: var(--fg-error); }
.flow-graph .edge-label.taken text { fill: var(--fg-taken); font-weight: 600; }
.flow-graph marker.arrow path { fill: var(--fg-line); }
.flow-graph marker.arrow.error path { fill: var(--fg-error); }
.flow-graph marker.arrow.taken path { fill: var(--fg-taken); }
.flow-graph.marked .node:not(.visited):not(.current):not(.failed) { opacity: 0.6; }
.flow-graph.marked .edge:not(.taken), .flow-graph.marked .edge-label:not(.taken) { opacity: 0.6; }
`
