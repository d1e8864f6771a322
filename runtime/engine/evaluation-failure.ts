/**
 * How an expression or template that could not be evaluated fails its step:
 * a limit (the expression's cost budget, the size or depth of the value it
 * made) is `limit_exceeded` with details saying which, the expression and
 * where it is in the flow; any other evaluation error keeps the kind the
 * caller gives (an input template: `input_invalid`, the flow's output:
 * `output_invalid`, a condition: `internal`).
 */
import {
  type ErrorKind,
  ExpressionLimitError,
  type JsonValue,
  TemplateEvaluationError,
} from '../../types/index.js'

export interface EvaluationFailure<K extends ErrorKind = ErrorKind> {
  readonly kind: K | 'limit_exceeded'
  readonly message: string
  readonly details?: JsonValue
}

/** The failure of a template evaluation (`error` from evaluateTemplate). */
export function templateFailure<K extends ErrorKind>(
  error: unknown,
  kind: K,
  prefix = '',
): EvaluationFailure<K> {
  const message = `${prefix}${(error as Error).message}`
  if (error instanceof TemplateEvaluationError && error.limit) {
    const { code, limit, pointer, expression, at } = error.limit
    const details: Record<string, JsonValue> = { code, limit, pointer }
    if (expression !== undefined) details.expression = expression
    if (at !== undefined) details.at = at
    return { kind: 'limit_exceeded', message, details }
  }
  return { kind, message }
}

/** The failure of a condition (`if`) that could not be evaluated. */
export function conditionFailure(
  error: unknown,
  pointer: string,
  expression: string,
): EvaluationFailure<'internal'> {
  const reason = (error as { summary?: string }).summary ?? (error as Error).message
  const message = `cannot evaluate the condition at ${pointer} ("${expression}"): ${reason}`
  if (error instanceof ExpressionLimitError) {
    const details = { code: 'expression_limit', limit: error.limit, pointer, expression }
    return { kind: 'limit_exceeded', message, details }
  }
  return { kind: 'internal', message }
}
