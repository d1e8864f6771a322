/**
 * The values expressions of one run see (`input`, `steps`, `run`), held as
 * JSON and converted to CEL values on first use, once per value: a step's
 * output is converted at most once however many expressions read it.
 */
import type { JsonValue } from '../json.js'
import type { ExpressionRefs, ScopePath } from './compile-expression.js'
import type { EvaluationLimits } from './evaluation-limits.js'
import type { FlowEnvironment } from './flow-environment.js'

export interface StepValues {
  readonly output?: JsonValue
  readonly error?: JsonValue
}

export interface RunInfo {
  readonly id: string
  readonly flow: string
  readonly version: number
  readonly attempt: number
}

export interface ScopeValues {
  readonly input: JsonValue
  readonly steps: Readonly<Record<string, StepValues>>
  readonly run: RunInfo
  /** In a for-each step's item input: the element and its position. */
  readonly item?: JsonValue
  readonly index?: number
}

export class ExpressionScope {
  readonly #fenv: FlowEnvironment
  #values: ScopeValues
  #input: unknown
  #run: unknown
  #item: unknown
  readonly #stepRecords = new Map<string, Record<string, unknown>>()

  constructor(fenv: FlowEnvironment, values: ScopeValues) {
    this.#fenv = fenv
    this.#values = values
  }

  /** Bounds on every evaluation in this scope (the flow's). */
  get limits(): EvaluationLimits {
    return this.#fenv.limits
  }

  get values(): ScopeValues {
    return this.#values
  }

  /** The scope of one item of a for-each step: these values with `item` and `index`, in the step's environment. */
  forItem(fenv: FlowEnvironment, item: JsonValue, index: number): ExpressionScope {
    return new ExpressionScope(fenv, { ...this.#values, item, index })
  }

  /** Records what a step produced (its latest run), replacing what it produced before. */
  setStep(id: string, values: StepValues): void {
    this.#values = { ...this.#values, steps: { ...this.#values.steps, [id]: values } }
    this.#stepRecords.delete(id)
  }

  setRun(run: RunInfo): void {
    this.#values = { ...this.#values, run }
    this.#run = undefined
  }

  /** The CEL context holding what an expression reads. */
  context(refs: ExpressionRefs): Record<string, unknown> {
    const ctx: Record<string, unknown> = {}
    if (refs.input) {
      this.#input ??= this.#fenv.input.shape.toCel(this.#values.input)
      ctx.input = this.#input
    }
    if (refs.run) {
      this.#run ??= this.#fenv.run.shape.toCel(this.#values.run as unknown as JsonValue)
      ctx.run = this.#run
    }
    if (refs.item && this.#fenv.item) {
      this.#item ??= this.#fenv.item.shape.toCel(this.#values.item ?? null)
      ctx.item = this.#item
    }
    if (refs.index) ctx.index = BigInt(this.#values.index ?? 0)
    if (refs.steps.size > 0) {
      const steps = new this.#fenv.StepsCtor()
      for (const id of refs.steps) steps[id] = this.#stepRecord(id)
      ctx.steps = steps
    }
    return ctx
  }

  #stepRecord(id: string): Record<string, unknown> | undefined {
    const cached = this.#stepRecords.get(id)
    if (cached) return cached
    const type = this.#fenv.steps.get(id)
    if (!type) return undefined
    const record = new type.Ctor()
    const values = this.#values.steps[id]
    if (values?.output !== undefined) record.output = type.outputShape.toCel(values.output)
    if (values?.error !== undefined) record.error = this.#fenv.error.shape.toCel(values.error)
    this.#stepRecords.set(id, record)
    return record
  }

  /** The JSON value at a plain path, or undefined when something on the way is absent or null. */
  resolvePath(path: ScopePath): JsonValue | undefined {
    let value: JsonValue | undefined
    if (path.root === 'step') value = this.#values.steps[path.step]?.[path.part]
    else if (path.root === 'input') value = this.#values.input
    else if (path.root === 'item') value = this.#values.item
    else if (path.root === 'index') value = this.#values.index
    else value = this.#values.run as unknown as JsonValue
    for (const field of path.fields) {
      if (
        value === null ||
        value === undefined ||
        typeof value !== 'object' ||
        Array.isArray(value)
      ) {
        return undefined
      }
      value = Object.hasOwn(value, field) ? value[field] : undefined
    }
    return value
  }
}
