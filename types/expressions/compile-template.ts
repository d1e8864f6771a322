/**
 * Templates: JSON values in which strings may embed CEL expressions. Compiled
 * once (every expression parsed and type-checked), evaluated per step. An
 * object whose value is an absent plain path (`"${steps.x.output.note}"` when
 * `note` is not there) leaves that key out.
 */
import type { JsonValue } from '../json.js'
import { pointer } from '../pointer.js'
import { celToJson } from './cel-values.js'
import {
  type CompiledExpression,
  compileExpression,
  type ExpressionProblem,
} from './compile-expression.js'
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
  | { readonly kind: 'object'; readonly entries: readonly (readonly [string, CompiledTemplate])[] }
  | { readonly kind: 'array'; readonly items: readonly CompiledTemplate[] }

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
        : { kind: 'array', items }
    }
    if (node !== null && typeof node === 'object') {
      const entries = Object.entries(node).map(
        ([k, v]) => [k, compile(v, pointer(here, k))] as const,
      )
      return entries.every(([, t]) => t.kind === 'literal')
        ? { kind: 'literal', value: node }
        : { kind: 'object', entries }
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

/** Raised when a template cannot be evaluated; names the expression and where it is. */
export class TemplateEvaluationError extends Error {
  readonly pointer: string
  readonly expression: string
  constructor(at: string, expression: string, reason: string) {
    super(`${at}: cannot evaluate "${expression}": ${reason}`)
    this.name = 'TemplateEvaluationError'
    this.pointer = at
    this.expression = expression
  }
}

function run(
  expression: CompiledExpression,
  at: string,
  scope: ExpressionScope,
): JsonValue | undefined {
  try {
    if (expression.path) return scope.resolvePath(expression.path)
    return celToJson(expression.evaluate(scope))
  } catch (error) {
    const reason = (error as { summary?: string }).summary ?? (error as Error).message
    throw new TemplateEvaluationError(at, expression.source, reason)
  }
}

function asText(value: JsonValue | undefined): string {
  if (value === undefined) return ''
  if (typeof value === 'string') return value
  return JSON.stringify(value)
}

/** Evaluates a compiled template; undefined means absent. Throws TemplateEvaluationError. */
export function evaluateTemplate(
  template: CompiledTemplate,
  scope: ExpressionScope,
): JsonValue | undefined {
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
        const value = evaluateTemplate(child, scope)
        if (value !== undefined) out[key] = value
      }
      return out
    }
    case 'array':
      return template.items.map((item) => evaluateTemplate(item, scope) ?? null)
    default: {
      const never: never = template
      return never
    }
  }
}
