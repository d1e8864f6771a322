/**
 * Templates: JSON values in which strings may embed CEL expressions. Compiled
 * once (every expression parsed and type-checked), evaluated per step. An
 * object whose value is an absent plain path (`"${steps.x.output.note}"` when
 * `note` is not there) leaves that key out.
 */
import { type JsonValue, setOwn } from '../json.js'
import { measureJson } from '../json-limits.js'
import { pointer } from '../pointer.js'
import { celToJson } from './cel-values.js'
import {
  type CompiledExpression,
  compileExpression,
  type ExpressionProblem,
} from './compile-expression.js'
import { ExpressionLimitError } from './expression-budget.js'
import type { ExpressionScope } from './expression-scope.js'
import type { FlowEnvironment } from './flow-environment.js'
import type { AccessRules } from './guards.js'
import { splitTemplate } from './template-syntax.js'

export type CompiledTemplate =
  | { readonly kind: 'literal'; readonly value: JsonValue }
  | { readonly kind: 'value'; readonly pointer: string; readonly expression: CompiledExpression }
  | {
      readonly kind: 'text'
      readonly pointer: string
      readonly parts: readonly (string | CompiledExpression)[]
    }
  | {
      readonly kind: 'object'
      readonly pointer: string
      readonly entries: readonly (readonly [string, CompiledTemplate])[]
    }
  | {
      readonly kind: 'array'
      readonly pointer: string
      readonly items: readonly CompiledTemplate[]
    }

export interface TemplateProblem extends ExpressionProblem {
  readonly pointer: string
}

export interface TemplateCompilation {
  readonly template: CompiledTemplate | undefined
  readonly problems: TemplateProblem[]
}

/** Compiles a template found at `at` in a document; all problems are reported, none thrown. */
export function compileTemplate(
  fenv: FlowEnvironment,
  value: JsonValue,
  at: string,
  rules?: AccessRules,
): TemplateCompilation {
  const problems: TemplateProblem[] = []
  const compile = (node: JsonValue, here: string): CompiledTemplate => {
    if (typeof node === 'string') return compileString(fenv, node, here, rules, problems)
    if (Array.isArray(node)) {
      const items = node.map((item, i) => compile(item, pointer(here, i)))
      return items.every((i) => i.kind === 'literal')
        ? { kind: 'literal', value: node }
        : { kind: 'array', pointer: here, items }
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).map(
        ([k, v]) => [k, compile(v, pointer(here, k))] as const,
      )
      return entries.every(([, t]) => t.kind === 'literal')
        ? { kind: 'literal', value: node }
        : { kind: 'object', pointer: here, entries }
    }
    return { kind: 'literal', value: node }
  }
  const template = compile(value, at)
  return { template: problems.length === 0 ? template : undefined, problems }
}

function compileString(
  fenv: FlowEnvironment,
  text: string,
  at: string,
  rules: AccessRules | undefined,
  problems: TemplateProblem[],
): CompiledTemplate {
  const split = splitTemplate(text)
  if (!split.ok) {
    problems.push({
      pointer: at,
      code: 'expression_syntax',
      message: `${split.message} (at character ${split.offset + 1})`,
    })
    return { kind: 'literal', value: text }
  }
  const { segments } = split
  const only = segments[0]
  if (segments.length === 1 && only?.kind === 'expression') {
    const plain = compileExpression(fenv, only.source)
    const isPath = plain.ok && plain.expression.path !== undefined
    const result = isPath ? plain : compileExpression(fenv, only.source, rules)
    if (result.ok) return { kind: 'value', pointer: at, expression: result.expression }
    for (const p of result.problems) problems.push({ ...p, pointer: at })
    return { kind: 'literal', value: text }
  }
  if (segments.every((s) => s.kind === 'text')) {
    return {
      kind: 'literal',
      value: segments.map((s) => (s.kind === 'text' ? s.text : '')).join(''),
    }
  }
  const parts: (string | CompiledExpression)[] = []
  for (const segment of segments) {
    if (segment.kind === 'text') {
      parts.push(segment.text)
      continue
    }
    const result = compileExpression(fenv, segment.source, rules)
    if (result.ok) parts.push(result.expression)
    else for (const p of result.problems) problems.push({ ...p, pointer: at })
  }
  return { kind: 'text', pointer: at, parts }
}

/** Why an evaluation was stopped by a limit: the budget of an expression, or the size of a value. */
export interface EvaluationLimitDetails {
  readonly code: 'expression_limit' | 'value_too_deep' | 'value_too_large'
  readonly limit: number
  /** Where the expression or template is in the flow document. */
  readonly pointer: string
  readonly expression?: string
  /** Where in the value a value limit was passed. */
  readonly at?: string
}

/** Raised when a template cannot be evaluated; names the expression and where it is. */
export class TemplateEvaluationError extends Error {
  readonly pointer: string
  readonly expression: string
  /** Set when a limit stopped the evaluation (the run fails as `limit_exceeded`). */
  readonly limit: EvaluationLimitDetails | undefined
  constructor(at: string, expression: string, reason: string, limit?: EvaluationLimitDetails) {
    super(`${at}: cannot evaluate "${expression}": ${reason}`)
    this.name = 'TemplateEvaluationError'
    this.pointer = at
    this.expression = expression
    this.limit = limit
  }
}

/** Details of an expression that spent its budget. */
export function expressionLimit(
  error: ExpressionLimitError,
  at: string,
  expression: string,
): EvaluationLimitDetails {
  return { code: 'expression_limit', limit: error.limit, pointer: at, expression }
}

function checkSize(value: unknown, at: string, what: string, scope: ExpressionScope): void {
  if (value === null || (typeof value !== 'object' && typeof value !== 'string')) return
  const measured = measureJson(value, scope.limits.value)
  if (measured.ok) return
  const where = measured.pointer ? ` at ${measured.pointer}` : ''
  throw new TemplateEvaluationError(at, what, `its value ${measured.message}${where}`, {
    code: measured.code,
    limit: measured.limit,
    pointer: at,
    expression: what,
    at: measured.pointer,
  })
}

function run(
  expression: CompiledExpression,
  at: string,
  scope: ExpressionScope,
): JsonValue | undefined {
  if (expression.path) return scope.resolvePath(expression.path)
  let value: unknown
  try {
    value = expression.evaluate(scope)
  } catch (error) {
    if (error instanceof ExpressionLimitError) {
      const limit = expressionLimit(error, at, expression.source)
      throw new TemplateEvaluationError(at, expression.source, error.message, limit)
    }
    const reason = (error as { summary?: string }).summary ?? (error as Error).message
    throw new TemplateEvaluationError(at, expression.source, reason)
  }
  checkSize(value, at, expression.source, scope)
  try {
    return celToJson(value)
  } catch (error) {
    throw new TemplateEvaluationError(at, expression.source, (error as Error).message)
  }
}

function asText(value: JsonValue | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

function build(template: CompiledTemplate, scope: ExpressionScope): JsonValue | undefined {
  switch (template.kind) {
    case 'literal':
      return template.value
    case 'value':
      return run(template.expression, template.pointer, scope)
    case 'text': {
      let out = ''
      for (const part of template.parts) {
        out += typeof part === 'string' ? part : asText(run(part, template.pointer, scope))
      }
      return out
    }
    case 'object': {
      const out: Record<string, JsonValue> = {}
      for (const [key, child] of template.entries) {
        const value = build(child, scope)
        if (value !== undefined) setOwn(out, key, value)
      }
      return out
    }
    case 'array':
      return template.items.map((item) => build(item, scope) ?? null)
    default: {
      const never: never = template
      return never
    }
  }
}

/**
 * Evaluates a compiled template; undefined means absent. The result is held to
 * the flow's value limits. Throws TemplateEvaluationError.
 */
export function evaluateTemplate(
  template: CompiledTemplate,
  scope: ExpressionScope,
): JsonValue | undefined {
  const value = build(template, scope)
  if (template.kind === 'literal' || template.kind === 'value') return value
  checkSize(value, template.pointer, 'the template', scope)
  return value
}
