/**
 * JSON read from a file or the command line, with a message that says where
 * it breaks: `file:line:column`, as compilers and editors expect, instead of
 * V8's bare "at position 14".
 */
import { readFile } from 'node:fs/promises'

/** 1-based line and column of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset)
  const lineStart = before.lastIndexOf('\n') + 1
  return { line: before.split('\n').length, column: offset - lineStart + 1 }
}

/**
 * Parses `text`; on a syntax error, throws one that names `source`, the line
 * and the column (the text's end when V8 gives no position: it ended early).
 */
export function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text)
  } catch (error) {
    const message = (error as Error).message
    const at = /at position (\d+)/.exec(message)
    const { line, column } = lineAndColumn(text, at ? Number(at[1]) : text.length)
    const reason = message.replace(/ at position \d+.*$/, '').replace(/ in JSON$/, '')
    throw new SyntaxError(`${source}:${line}:${column}: not valid JSON: ${reason}`)
  }
}

/** A JSON file, parsed; a syntax error names the file, line and column. */
export async function readJsonFile(file: string): Promise<unknown> {
  return parseJson(await readFile(file, 'utf8'), file)
}
