/**
 * What one evaluation of an expression or template may cost: the work an
 * expression does (comprehension iterations, function calls, characters and
 * elements it builds) and the size and depth of the value a template makes.
 * Set per server; compiled flows carry them so every evaluation is bounded.
 */
import { defaultJsonLimits, type JsonLimits } from '../json-limits.js'

export interface EvaluationLimits {
  /** Most work units one expression evaluation may spend. */
  readonly maxCost: number
  /** Bounds on every value a template produces. */
  readonly value: JsonLimits
}

export const defaultEvaluationLimits: EvaluationLimits = Object.freeze({
  maxCost: 250_000,
  value: defaultJsonLimits,
})
