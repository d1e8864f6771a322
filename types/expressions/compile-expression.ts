/**
 * Compiles one CEL expression against a flow's environment: parse, type-check,
 * find unguarded optional accesses, and record what the expression reads. The
 * result evaluates without re-checking; errors read like the rest of weir's.
 */
import { EvaluationError } from '@marcbachmann/cel-js'
import type { ProblemCode } from '../errors.js'
import { type CelNode, fieldAccess, pathOf } from './cel-ast.js'
import type { CelType } from './cel-values.js'
import {
  ExpressionLimitError,
  instrumentExpression,
  literalPatterns,
  withBudget,
} from './expression-budget.js'
import type { ExpressionScope } from './expression-scope.js'
import type { FlowEnvironment } from './flow-environment.js'
import { type AccessRules, findUnguardedAccess, type StepPart } from './guards.js'
import { regexProblem } from './regex.js'

/** A path into the values in scope: `input.a.b`, `steps.x.output.c`, `run.id`, `item.sku`, `index`. */
export type ScopePath =
  | { readonly root: 'input' | 'run' | 'item' | 'index'; readonly fields: readonly string[] }
  | {
      readonly root: 'step'
      readonly step: string
      readonly part: StepPart
      readonly fields: readonly string[]
    }

export interface ExpressionRefs {
  readonly input: boolean
  readonly run: boolean
  /** The element and its position, in a for-each step's item input. */
  readonly item: boolean
  readonly index: boolean
  readonly steps: ReadonlySet<string>
}

export interface CompiledExpression {
  readonly source: string
  readonly type: CelType
  readonly refs: ExpressionRefs
  /** Set when the expression is a plain path (evaluated without CEL, absent values allowed). */
  readonly path: ScopePath | undefined
  readonly ast: CelNode
  /** Evaluates to a CEL value; throws EvaluationError. */
  evaluate(scope: ExpressionScope): unknown
}

export interface ExpressionProblem {
  readonly code: ProblemCode
  readonly message: string
}

export type CompileResult =
  | { ok: true; expression: CompiledExpression }
  | { ok: false; problems: ExpressionProblem[] }

interface CelError {
  code?: string
  summary?: string
  message: string
  range?: { start: number; end: number }
}

export function compileExpression(
  fenv: FlowEnvironment,
  source: string,
  rules?: AccessRules,
): CompileResult {
  let parsed: ReturnType<FlowEnvironment['env']['parse']>
  try {
    parsed = fenv.env.parse(source)
  } catch (error) {
    const e = error as CelError
    const at = e.range ? ` at column ${e.range.start + 1}` : ''
    return fail('expression_syntax', `syntax error${at}: ${e.summary ?? e.message}`, source)
  }
  const ast = parsed.ast as unknown as CelNode
  const checked = parsed.check()
  if (!checked.valid) {
    return fail('expression_type', explainTypeError(checked.error as CelError, ast, fenv), source)
  }
  if (rules) {
    const problems = findUnguardedAccess(ast, rules)
    if (problems.length > 0) {
      return {
        ok: false,
        problems: problems.map((p) => ({ code: p.code, message: `${p.message} — in "${source}"` })),
      }
    }
  }
  for (const pattern of fenv.checkPatterns ? literalPatterns(ast) : []) {
    const problem = regexProblem(pattern)
    if (problem) return fail('invalid_regex', `${problem} in "${pattern}"`, source)
  }
  instrumentExpression(ast)
  const refs = collectRefs(ast)
  const maxCost = fenv.limits.maxCost
  const expression: CompiledExpression = {
    source,
    type: ast.checkedType as CelType,
    refs,
    path: scopePathOf(ast),
    ast,
    evaluate: (scope) => withBudget(maxCost, () => parsed(scope.context(refs))),
  }
  return { ok: true, expression }
}

function fail(code: ProblemCode, detail: string, source: string): CompileResult {
  return { ok: false, problems: [{ code, message: `${detail} — in "${source}"` }] }
}

function scopePathOf(ast: CelNode): ScopePath | undefined {
  const path = pathOf(ast)
  return path && toScopePath(path)
}

/** Reads `['steps', 'x', 'output', 'a']` as a path into the values in scope. */
export function toScopePath(path: readonly string[]): ScopePath | undefined {
  const [root, ...rest] = path
  if (root === 'input' || root === 'run' || root === 'item') return { root, fields: rest }
  if (root === 'index') return rest.length === 0 ? { root, fields: [] } : undefined
  const [step, part, ...fields] = rest
  if (root === 'steps' && step && (part === 'output' || part === 'error')) {
    return { root: 'step', step, part, fields }
  }
  return undefined
}

function collectRefs(ast: CelNode): ExpressionRefs {
  let input = false
  let run = false
  let item = false
  let index = false
  const steps = new Set<string>()
  const visit = (node: CelNode): void => {
    if (node.op === 'id') {
      if (node.args === 'input') input = true
      if (node.args === 'run') run = true
      if (node.args === 'item') item = true
      if (node.args === 'index') index = true
    }
    const access = fieldAccess(node)
    if (access?.left.op === 'id' && access.left.args === 'steps') steps.add(access.field)
    const args = node.args
    const walk = (v: unknown): void => {
      if (v && typeof v === 'object' && 'op' in v) visit(v as CelNode)
      else if (Array.isArray(v)) for (const x of v) walk(x)
    }
    if (node.op !== 'value' && node.op !== 'id') walk(args)
  }
  visit(ast)
  return { input, run, item, index, steps }
}

function findAccessEndingAt(node: CelNode, end: number): CelNode | undefined {
  if ((node.op === '.' || node.op === '.?') && node.range.end === end) return node
  const args = node.op === 'value' || node.op === 'id' ? [] : [node.args].flat(2)
  for (const child of args) {
    if (child && typeof child === 'object' && 'op' in child) {
      const found = findAccessEndingAt(child as CelNode, end)
      if (found) return found
    }
  }
  return undefined
}

const scopeNames = 'expressions can use input, steps.<id>.output, steps.<id>.error and run'
const itemScopeNames = `${scopeNames}, and here item and index`

function explainTypeError(error: CelError, ast: CelNode, fenv: FlowEnvironment): string {
  const summary = error.summary ?? error.message.split('\n')[0] ?? 'type error'
  if (error.code === 'no_such_key' && error.range) {
    const access = findAccessEndingAt(ast, error.range.end)
    const parts = access && fieldAccess(access)
    const leftType = parts?.left.checkedType
    if (parts && leftType?.name === 'Steps') {
      const known = [...fenv.steps.keys()].join(', ')
      return `unknown step "${parts.field}" (steps: ${known})`
    }
    if (parts && leftType?.name.startsWith('Step.')) {
      return `steps.<id> has only "output" and "error", not "${parts.field}"`
    }
    const info = leftType && fenv.shapes.messages.get(leftType.name)
    if (parts && info) {
      const fields = [...info.fields.keys()].join(', ')
      return `no field "${parts.field}" in ${leftType.name} (fields: ${fields})`
    }
  }
  if (/^Unknown variable/i.test(summary)) {
    const name = summary.replace(/^Unknown variable:?\s*/i, '')
    return `unknown name "${name}": ${fenv.item ? itemScopeNames : scopeNames}`
  }
  if (error.code === 'no_such_overload' && /int/.test(summary) && /double/.test(summary)) {
    return `${summary} (CEL does not mix int and double in arithmetic: write 2.0 instead of 2, or convert with double(…) / int(…))`
  }
  return summary
}

export { EvaluationError, ExpressionLimitError }
