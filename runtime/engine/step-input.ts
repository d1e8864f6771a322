/**
 * The input of a step: its template evaluated against the run's values, or,
 * when it has none, the output of the step that ran before (the run input for
 * the first step).
 */
import { type CompiledStep, evaluateTemplate, type JsonValue } from '../../types/index.js'
import { type EvaluationFailure, templateFailure } from './evaluation-failure.js'
import type { RunState } from './run-state.js'

/** The step's input, or why it cannot be made (`input_invalid`, or `limit_exceeded` for a limit). */
export function stepInput(
  state: RunState,
  step: CompiledStep,
): { input: JsonValue } | { error: EvaluationFailure<'input_invalid'> } {
  if (step.input) {
    try {
      return { input: evaluateTemplate(step.input, state.scope) ?? null }
    } catch (error) {
      return { error: templateFailure(error, 'input_invalid') }
    }
  }
  const previous = state.progress.previousStep
  if (previous === undefined) return { input: state.input }
  const output = state.scope.values.steps[previous]?.output
  if (output !== undefined) return { input: output }
  const message = `step "${previous}" left no output to pass on as the input of "${step.id}"`
  return { error: { kind: 'input_invalid', message } }
}
