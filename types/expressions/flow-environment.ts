/**
 * The CEL environment of one flow: the variables `input`, `steps` and `run`,
 * typed from the flow's input schema and its steps' output schemas. Built once
 * per flow version (at publish or when a process first runs it); expressions
 * are parsed and type-checked against it once, then evaluated many times.
 */
import { Environment } from '@marcbachmann/cel-js'
import { anySchema, type Rooted, rooted } from '../schema/rooted.js'
import { type CelShape, CelShapes } from './cel-shapes.js'
import { defaultEvaluationLimits, type EvaluationLimits } from './evaluation-limits.js'
import { runInfoSchema, stepErrorSchema } from './scope-schemas.js'

export interface StepScope {
  readonly id: string
  /** Schema of the step's output; undefined when nothing is known of it. */
  readonly output: Rooted | undefined
  /** Name given to the output's CEL type in messages, e.g. `price-order@3.output`. */
  readonly typeName: string
}

export interface StepRecordType {
  readonly outputShape: CelShape
  readonly Ctor: new () => Record<string, unknown>
}

export class FlowEnvironment {
  readonly env: Environment
  readonly shapes: CelShapes
  readonly input: { schema: Rooted; shape: CelShape }
  readonly error: { schema: Rooted; shape: CelShape }
  readonly run: { schema: Rooted; shape: CelShape }
  readonly steps = new Map<string, StepRecordType & { schema: Rooted | undefined }>()
  readonly StepsCtor: new () => Record<string, unknown>
  /** Bounds on every evaluation of this flow's expressions and templates. */
  readonly limits: EvaluationLimits
  /** False for flows published before RE2: their patterns fail when used instead of at the check. */
  readonly checkPatterns: boolean
  /** In a for-each step's item input: `item`, typed as the list's elements (and `index`, an int). */
  readonly item: { schema: Rooted; shape: CelShape } | undefined
  readonly #inputSchema: Rooted | undefined
  readonly #stepScopes: readonly StepScope[]

  constructor(
    input: Rooted | undefined,
    steps: readonly StepScope[],
    limits: EvaluationLimits = defaultEvaluationLimits,
    checkPatterns = true,
    item?: Rooted,
  ) {
    this.limits = limits
    this.checkPatterns = checkPatterns
    this.#inputSchema = input
    this.#stepScopes = steps
    this.env = new Environment({ enableOptionalTypes: true })
    // JSON numbers are compared with CEL literals whatever their CEL type.
    this.env.registerOperator('double == int', (a: number, b: bigint) => a === Number(b))
    this.shapes = new CelShapes(this.env)
    const inputSchema = input ?? rooted(anySchema)
    this.input = { schema: inputSchema, shape: this.shapes.shapeOf(inputSchema, 'input') }
    const errorSchema = rooted(stepErrorSchema)
    this.error = { schema: errorSchema, shape: this.shapes.shapeOf(errorSchema, 'error') }
    const runSchema = rooted(runInfoSchema)
    this.run = { schema: runSchema, shape: this.shapes.shapeOf(runSchema, 'run') }

    const stepFields: Record<string, string> = {}
    for (const step of steps) {
      if (this.steps.has(step.id)) continue
      const outputShape = this.shapes.shapeOf(step.output ?? rooted(anySchema), step.typeName)
      const typeName = `Step.${step.id}`
      const Ctor = { [typeName]: class {} }[typeName] as new () => Record<string, unknown>
      this.env.registerType(typeName, {
        ctor: Ctor,
        fields: { output: outputShape.type, error: this.error.shape.type },
      })
      this.steps.set(step.id, { outputShape, Ctor, schema: step.output })
      stepFields[step.id] = typeName
    }
    this.StepsCtor = class Steps {} as new () => Record<string, unknown>
    this.env.registerType('Steps', { ctor: this.StepsCtor, fields: stepFields })
    this.env.registerVariable('input', this.input.shape.type)
    this.env.registerVariable('steps', 'Steps')
    this.env.registerVariable('run', this.run.shape.type)
    this.item = item ? { schema: item, shape: this.shapes.shapeOf(item, 'item') } : undefined
    if (this.item) {
      this.env.registerVariable('item', this.item.shape.type)
      this.env.registerVariable('index', 'int')
    }
  }

  /** This environment with `item` (typed by `schema`) and `index` in scope: a for-each step's item input. */
  withItem(schema: Rooted): FlowEnvironment {
    return new FlowEnvironment(
      this.#inputSchema,
      this.#stepScopes,
      this.limits,
      this.checkPatterns,
      schema,
    )
  }
}
