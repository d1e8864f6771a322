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

/** The lines that explain a failed request: the detail and each problem with its place. */
export function problemLines(error: ApiError): string[] {
  const lines = [`error: ${error.message} (HTTP ${error.status})`]
  for (const item of error.problem.errors ?? []) {
    const where = item.pointer !== undefined ? item.pointer || '/' : `parameter ${item.parameter}`
    lines.push(`  ${where}: ${item.message}`)
  }
  return lines
}
