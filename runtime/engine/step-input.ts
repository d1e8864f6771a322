/**
 * The input of a step: its template evaluated against the run's values, or,
 * when it has none, the output of the step that ran before (the run input for
 * the first step).
 */
import { type CompiledStep, evaluateTemplate, type JsonValue } from '../../types/index.js'
import type { RunState } from './run-state.js'

export function stepInput(
  state: RunState,
  step: CompiledStep,
): { input: JsonValue } | { error: string } {
  if (step.input) {
    try {
      return { input: evaluateTemplate(step.input, state.scope) ?? null }
    } catch (error) {
      return { error: (error as Error).message }
    }
  }
  const previous = state.progress.previousStep
  if (previous === undefined) return { input: state.input }
  const output = state.scope.values.steps[previous]?.output
  return output === undefined
    ? { error: `step "${previous}" left no output to pass on as the input of "${step.id}"` }
    : { input: output }
}
