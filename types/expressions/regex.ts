/**
 * Regular expressions for CEL's `matches`, in RE2 syntax and linear time
 * (re2js, pure JavaScript): no pattern and no input can make a match take
 * more than time proportional to the input, unlike JavaScript's backtracking
 * `RegExp`. Patterns are compiled once and kept in a small cache.
 */
import { RE2JS } from 're2js'

const cacheSize = 256
const compiled = new Map<string, RE2JS>()

/** Why RE2 refuses a pattern, or undefined when it compiles. */
export function regexProblem(pattern: string): string | undefined {
  try {
    compile(pattern)
    return undefined
  } catch (error) {
    return describe(error)
  }
}

function describe(error: unknown): string {
  const message = (error as Error).message.replace(/^error parsing regexp: /, '')
  return `invalid regular expression (RE2 syntax): ${message}`
}

function compile(pattern: string): RE2JS {
  let re = compiled.get(pattern)
  if (re) return re
  re = RE2JS.compile(pattern)
  if (compiled.size >= cacheSize) {
    const oldest = compiled.keys().next().value
    if (oldest !== undefined) compiled.delete(oldest)
  }
  compiled.set(pattern, re)
  return re
}

/**
 * A pattern compiled for repeated tests (throws RE2's syntax error). ajv
 * validates JSON Schema `pattern` and `patternProperties` with it.
 */
export function compilePattern(pattern: string): {
  test(text: string): boolean
  toString(): string
} {
  const re = compile(pattern)
  // ajv keys the patterns it keeps by their text: give each its own.
  return { test: (text) => re.test(text), toString: () => `/${pattern}/` }
}

/** True when the pattern is compiled already (compiling one costs far more than a match). */
export function isCompiled(pattern: string): boolean {
  return compiled.has(pattern)
}

/** Raised when `matches` is given a pattern RE2 refuses (a pattern only known at run time). */
export class RegexError extends Error {
  override readonly name = 'RegexError'
}

/** CEL's `text.matches(pattern)`: true when the pattern matches anywhere in the text. */
export function re2Matches(text: string, pattern: string): boolean {
  let re: RE2JS
  try {
    re = compile(pattern)
  } catch (error) {
    throw new RegexError(describe(error))
  }
  return re.test(text)
}
