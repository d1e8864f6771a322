/**
 * The measures a flow drawing is built with, shared by the layout (which sizes
 * boxes from text length) and the renderer (which places the text in them).
 * Text is set in a monospace font (`flowGraphCss`), so a fixed character width
 * is a close estimate without measuring glyphs.
 */

/** Width of one character of node text (12px monospace). */
export const nodeCharWidth = 7.3
/** Distance between the baselines of a node's lines. */
export const nodeLineHeight = 16
/** Space between a node's border and its text, left and right. */
export const nodePaddingX = 12
/** Space between a node's border and its text, top and bottom. */
export const nodePaddingY = 8
/** Narrowest step box, so short ids still read as boxes. */
export const nodeMinWidth = 72
/** Width of the start and end terminals. */
export const terminalWidth = 64
/** Height of the start and end terminals. */
export const terminalHeight = 28

/** Width of one character of an edge label (11px monospace). */
export const labelCharWidth = 6.7
/** Height of an edge label's box. */
export const labelHeight = 16
/** Space between a label's border and its text, left and right. */
export const labelPaddingX = 4

/** Longest node line drawn before it is cut with `…`. */
export const maxLineChars = 44
/** Longest edge label drawn before it is cut with `…`. */
export const maxLabelChars = 32
/** Parallel branches listed in a node before `+N more`. */
export const maxBranchLines = 4

/** Cuts `text` to at most `max` characters, ending with `…` when it was longer. */
export function shorten(text: string, max: number): string {
  const chars = [...text]
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`
}

/** Height of a step box with `lines` lines of text. */
export function nodeHeight(lines: number): number {
  return lines * nodeLineHeight + 2 * nodePaddingY
}

/** Width of a step box whose longest line has `chars` characters. */
export function nodeWidth(chars: number): number {
  return Math.max(nodeMinWidth, Math.ceil(chars * nodeCharWidth) + 2 * nodePaddingX)
}

/** Width of an edge label's box. */
export function labelWidth(text: string): number {
  return Math.ceil([...text].length * labelCharWidth) + 2 * labelPaddingX
}

/** Coordinates are kept to a tenth of a unit: plenty for a drawing, and a shorter SVG. */
export function round(n: number): number {
  return Math.round(n * 10) / 10
}
