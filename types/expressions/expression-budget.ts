/**
 * The cost budget of one expression evaluation. cel-js bounds only parsing
 * (AST nodes, depth, literal sizes), so a short expression could still iterate
 * for seconds (nested comprehensions) or build strings and lists of any size
 * (`cel.bind` doubling a string). After an expression is type-checked, its
 * AST is instrumented once: comprehensions, function calls and `+` charge the
 * running evaluation's budget, and `matches` runs on RE2 in linear time.
 * Evaluations are synchronous, so the budget in force is held in one module
 * variable for the duration of an evaluation.
 *
 * What costs what (one unit is about the time of one comprehension iteration):
 * - a comprehension (`map`, `filter`, `all`, `exists`, `exists_one`): one unit
 *   per element of the list or map it ranges over, charged before it starts;
 * - a function call: one unit, plus the size of what it reads and returns
 *   (one per 16 characters or bytes, one per element of a list or map); a
 *   getter given a time zone costs 10,000 (time-zone conversion is slow);
 * - `matches`: one unit per character of the text and of the pattern, and
 *   500 to compile a pattern not seen before;
 * - `+`: the size of what it builds; `in`, `==` and `!=`: the size of their
 *   operands (they may walk whole lists).
 */
import type { CelNode } from './cel-ast.js'
import { isCompiled, RegexError, re2Matches } from './regex.js'

/** Raised when an evaluation spends more than its budget. */
export class ExpressionLimitError extends Error {
  override readonly name = 'ExpressionLimitError'
  readonly limit: number
  constructor(limit: number) {
    super(`the expression exceeded its budget of ${limit} cost units (WEIR_MAX_EXPRESSION_COST)`)
    this.limit = limit
  }
}

let remaining = Number.POSITIVE_INFINITY
let limitInForce = Number.POSITIVE_INFINITY

function charge(units: number): void {
  remaining -= units
  if (remaining < 0) throw new ExpressionLimitError(limitInForce)
}

/** Runs one evaluation under a budget of `limit` units. */
export function withBudget<T>(limit: number, evaluate: () => T): T {
  const outerRemaining = remaining
  const outerLimit = limitInForce
  remaining = limit
  limitInForce = limit
  try {
    return evaluate()
  } finally {
    remaining = outerRemaining
    limitInForce = outerLimit
  }
}

function sizeCost(value: unknown): number {
  if (typeof value === 'string') return value.length >>> 4
  if (value === null || typeof value !== 'object') return 0
  if (Array.isArray(value)) return value.length
  if (value instanceof Map || value instanceof Set) return value.size
  if (value instanceof Uint8Array) return value.length >>> 4
  return Object.keys(value).length
}

/** Compiling a pattern not seen before (a dynamic one) costs about as much as 500 iterations. */
const patternCompileCost = 500

/** A getter given a time zone (`getHours("Asia/Kolkata")`) converts through Intl: slow. */
const zonedGetterCost = 10_000

function elementsOf(value: unknown): number {
  if (Array.isArray(value)) return value.length
  if (value instanceof Map || value instanceof Set) return value.size
  if (value !== null && typeof value === 'object') return Object.keys(value).length
  return 0
}

function readCost(values: unknown): number {
  if (!Array.isArray(values)) return 0
  let units = 0
  for (const v of values) units += sizeCost(v)
  return units
}

type Handle = (a: unknown, b: unknown, c: unknown, d: unknown) => unknown

interface Instrumentable {
  handle?: Handle
  args: unknown
  meta?: { alternate?: CelNode; macro?: { val?: CelNode; exp?: CelNode } }
}

function matchesHandle(values: unknown): boolean {
  const [text, pattern] = values as [unknown, unknown]
  if (typeof text !== 'string' || typeof pattern !== 'string') {
    const error = new RegexError('matches needs a string and a string pattern')
    throw Object.assign(error, { summary: error.message })
  }
  charge(1 + text.length + pattern.length + (isCompiled(pattern) ? 0 : patternCompileCost))
  try {
    return re2Matches(text, pattern)
  } catch (error) {
    if (error instanceof RegexError) throw Object.assign(error, { summary: error.message })
    throw error
  }
}

function instrumentNode(node: CelNode & Instrumentable): void {
  const original = node.handle
  if (!original) return
  if (node.op === 'comprehension') {
    node.handle = (items, args, ev, ctx) => {
      charge(elementsOf(items))
      return original(items, args, ev, ctx)
    }
  } else if (node.op === 'rcall' && (node.args as [string])[0] === 'matches') {
    node.handle = matchesHandle
  } else if (node.op === 'call' || node.op === 'rcall') {
    const name = (node.args as [string])[0]
    const zoned = node.op === 'rcall' && name.startsWith('get')
    node.handle = (values, b, c, d) => {
      const extra = zoned && (values as unknown[]).length > 1 ? zonedGetterCost : 0
      charge(1 + extra + readCost(values))
      const result = original(values, b, c, d)
      charge(sizeCost(result))
      return result
    }
  } else if (node.op === '+') {
    node.handle = (left, right, c, d) => {
      const result = original(left, right, c, d)
      charge(sizeCost(result))
      return result
    }
  } else if (node.op === 'in' || node.op === '==' || node.op === '!=') {
    node.handle = (left, right, c, d) => {
      charge(sizeCost(left) + sizeCost(right))
      return original(left, right, c, d)
    }
  }
}

/** Every node of a checked AST, macro expansions included. */
function nodesOf(root: CelNode): CelNode[] {
  const out: CelNode[] = []
  const seen = new Set<unknown>()
  const visit = (value: unknown): void => {
    if (value === null || typeof value !== 'object' || seen.has(value)) return
    seen.add(value)
    if (Array.isArray(value)) {
      for (const v of value) visit(v)
      return
    }
    if (!('op' in value)) return
    const node = value as CelNode & Instrumentable
    out.push(node)
    const meta = node.meta
    visit(meta?.alternate)
    visit(meta?.macro?.val)
    visit(meta?.macro?.exp)
    if (node.op === 'value' || node.op === 'id') return
    if (node.op === 'comprehension') {
      const args = node.args as Record<string, unknown>
      visit(args.iterable)
      visit(args.init)
      visit(args.step)
      return
    }
    visit(node.args)
  }
  visit(root)
  return out
}

/** Instruments a type-checked AST so that its evaluations charge the budget in force. */
export function instrumentExpression(ast: CelNode): void {
  for (const node of nodesOf(ast)) instrumentNode(node as CelNode & Instrumentable)
}

/** The literal patterns given to `matches` in an expression. */
export function literalPatterns(ast: CelNode): string[] {
  const patterns: string[] = []
  for (const node of nodesOf(ast)) {
    if (node.op !== 'rcall') continue
    const [name, , args] = node.args as [string, CelNode, CelNode[]]
    const arg = args[0]
    if (name === 'matches' && arg?.op === 'value' && typeof arg.args === 'string') {
      patterns.push(arg.args)
    }
  }
  return patterns
}
