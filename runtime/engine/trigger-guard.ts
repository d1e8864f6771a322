/**
 * A trigger's `when` guard, evaluated over the start's input before any run
 * exists. Pure: false (or a guard that cannot be evaluated) refuses the start
 * with a reason that names the guard and where it is.
 */
import {
  type CompiledFlow,
  type CompiledTrigger,
  celToJson,
  ExpressionLimitError,
  ExpressionScope,
  type JsonValue,
} from '../../types/index.js'
import type { RefusalCode } from '../store/records.js'

export type GuardVerdict =
  | { readonly allowed: true }
  | {
      readonly allowed: false
      readonly trigger: string
      readonly reason: string
      readonly code: RefusalCode
    }

/** The trigger that guards a start: `'http'` (the flow's first http trigger), a trigger's index, or `'none'`. */
export type TriggerSelector = 'http' | 'none' | number

export function triggerOf(
  flow: CompiledFlow,
  selector: TriggerSelector,
): CompiledTrigger | undefined {
  if (selector === 'none') return undefined
  return selector === 'http'
    ? flow.triggers.find((t) => t.kind === 'http')
    : flow.triggers.find((t) => t.index === selector)
}

export function checkGuard(
  flow: CompiledFlow,
  selector: TriggerSelector,
  input: JsonValue,
  run: { flow: string; version: number },
): GuardVerdict {
  const trigger = triggerOf(flow, selector)
  const when = trigger?.when
  if (!trigger || !when) return { allowed: true }
  const scope = new ExpressionScope(flow.environment, {
    input,
    steps: {},
    run: { id: '', flow: run.flow, version: run.version, attempt: 1 },
  })
  const at = `${trigger.pointer}/when`
  try {
    const value = celToJson(when.evaluate(scope))
    if (value === true) return { allowed: true }
    return {
      allowed: false,
      trigger: trigger.pointer,
      reason: `the guard at ${at} ("${when.source}") is false`,
      code: 'guard_false',
    }
  } catch (error) {
    const why = (error as { summary?: string }).summary ?? (error as Error).message
    return {
      allowed: false,
      trigger: trigger.pointer,
      reason: `the guard at ${at} ("${when.source}") cannot be evaluated: ${why}`,
      code: error instanceof ExpressionLimitError ? 'expression_limit' : 'guard_error',
    }
  }
}
