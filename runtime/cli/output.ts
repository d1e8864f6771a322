/** Printing for the CLI: JSON with --json, aligned tables and short lines otherwise. */
import type { ApiError } from './client.js'

export interface OutputOptions {
  readonly json?: boolean
}

export function printJson(value: unknown): void {
  console.log(JSON.stringify(value, null, 2))
}

/** Rows as a table with a header line; every cell is turned into text. */
export function printTable(
  columns: readonly string[],
  rows: readonly (readonly unknown[])[],
): void {
  const text = rows.map((row) =>
    row.map((cell) => (cell === null || cell === undefined ? '-' : String(cell))),
  )
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...text.map((row) => row[i]?.length ?? 0)),
  )
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd()
  console.log(line(columns.map((c) => c.toUpperCase())))
  for (const row of text) console.log(line(row))
}

/**
 * `n noun` or `n nouns`: "resumed 1 unfinished run", not "1 unfinished runs".
 * `noun` is the singular; the plural adds an s.
 */
export function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * The lines that explain a failed request. A problem with items says each
 * with its place under the problem's title; the detail is left out, because
 * it repeats the first item (printed once, not twice). Without items, the
 * detail is the whole story.
 */
export function problemLines(error: ApiError): string[] {
  const items = error.problem.errors ?? []
  if (items.length === 0) return [`error: ${error.message} (HTTP ${error.status})`]
  const lines = [`error: ${error.problem.title ?? error.message} (HTTP ${error.status})`]
  for (const item of items) {
    const where = item.pointer !== undefined ? item.pointer || '/' : `parameter ${item.parameter}`
    lines.push(`  ${where}: ${item.message}`)
  }
  return lines
}
