/**
 * The shape of every problem weir finds in a document: where (a JSON Pointer
 * into the document), a stable code, and a message a person understands.
 */

/** Stable codes of document problems; tests and API clients match on these. */
export type ProblemCode =
  | 'invalid_document'
  | 'invalid_schema'
  | 'duplicate_step_id'
  | 'reserved_step_id'
  | 'unknown_step'
  | 'else_not_last'
  | 'unreachable_step'
  | 'unknown_task'
  | 'unknown_flow'
  | 'nesting_too_deep'
  | 'not_a_list'
  | 'expression_syntax'
  | 'expression_type'
  | 'condition_not_bool'
  | 'step_not_available'
  | 'optional_access'
  | 'type_mismatch'
  | 'implicit_input'
  | 'invalid_trigger_input'
  | 'dynamic_value'
  | 'timeout_disabled'
  | 'output_may_exceed_limit'
  | 'value_too_deep'
  | 'value_too_large'
  | 'invalid_regex'
  | 'capability_required'
  | 'capability_unused'
  | 'unknown_secret'
  | 'checks_stopped'

export interface Problem {
  /** JSON Pointer into the checked document. */
  pointer: string
  code: ProblemCode
  message: string
  /** What the place requires, in words (type mismatches and the like). */
  expected?: string
  /** What the place provides, in words. */
  found?: string
  /** For mismatches inside a value: where in the value, as a pointer (`*` = any element). */
  path?: string
}

/** Renders a problem the way the CLI and logs print it: `pointer: message`. */
export function formatProblem(problem: Problem): string {
  return `${problem.pointer || '/'}: ${problem.message}`
}
