/**
 * A small typed builder for flow documents, for front ends and scripts:
 *
 *     const priceOrder = task<{ items: Item[] }, { total: number }>('price-order', 3)
 *     const doc = flow('checkout')
 *       .input<{ order: Order }>(orderSchema)
 *       .step('price', priceOrder, { input: ($) => ({ items: $.input.order.items }) })
 *       .branch([{ if: ($) => `${$.steps.price.output.total} > 100.0`, goto: 'review' }, { else: 'end' }])
 *       .step('review', notify, { input: ($) => ({ total: $.steps.price.output.total }) })
 *       .toJSON()
 *
 * References (`$.input.order.items`) are typed by the flow input and the task
 * output types, and become `${input.order.items}` templates, also inside a JS
 * template string (`` `order ${$.input.order.id}` `` is `"order ${input.order.id}"`);
 * in a condition, which is CEL, they read as bare paths. A template is typed
 * by the task's input type. A sub-flow (`subflow<I, O>('billing', 2)`) is a
 * step like a task; `set` and `fail` add those steps. The result is a plain
 * flow document that the server checks again on publish. Browser-safe.
 */

import type {
  Branch,
  FlowDocument,
  FlowStep,
  Next,
  RetryPolicy,
  Step,
  TaskStep,
  Trigger,
  ValueSchema,
} from './index.js'
import type { JsonValue } from './json.js'

/** A task as the builder sees it: its reference and, as type parameters, its input and output. */
export interface TaskSpec<I = unknown, O = unknown> {
  readonly ref: string
  readonly __io?: { input: I; output: O }
}

/** Names a task for the builder; `version` pins it (`name@version`). */
export function task<I = unknown, O = unknown>(name: string, version?: number): TaskSpec<I, O> {
  return { ref: version === undefined ? name : `${name}@${version}` }
}

/** A published flow called as a sub-flow: its reference and, as type parameters, its input and output. */
export interface FlowSpec<I = unknown, O = unknown> {
  readonly flow: string
  readonly __io?: { input: I; output: O }
}

/** Names a flow for a `flow` step (a child run); `version` pins it (`name@version`). */
export function subflow<I = unknown, O = unknown>(name: string, version?: number): FlowSpec<I, O> {
  return { flow: version === undefined ? name : `${name}@${version}` }
}

declare const exprType: unique symbol

/**
 * A reference to a value in scope. In a value (`{ total: $.input.total }`) and
 * interpolated in a JS template string (`` `blocked ${$.input.id}` ``) it
 * becomes a `${path}` template; in a condition, which is CEL, the bare path.
 */
export interface Expr<T> {
  readonly [exprType]?: T
  toJSON(): string
  toString(): string
}

export type Ref<T> = Expr<T> &
  (T extends readonly unknown[]
    ? unknown
    : T extends object
      ? { readonly [K in keyof T]-?: Ref<T[K]> }
      : unknown)

export interface StepErrorValue {
  step: string
  task: string
  kind: string
  message: string
  code?: string
  details?: unknown
  attempt: number
}

export interface Scope<Input, Steps> {
  readonly input: Ref<Input>
  readonly steps: {
    readonly [K in keyof Steps]: {
      readonly output: Ref<Steps[K]>
      readonly error: Ref<StepErrorValue>
    }
  }
  readonly run: Ref<{ id: string; flow: string; version: number; attempt: number }>
}

/** A template typed by the value it must produce. */
export type Template<T> =
  | T
  | Expr<T>
  | `${string}\${${string}}${string}`
  | (T extends readonly (infer E)[] ? Template<E>[] : never)
  | (T extends object ? { [K in keyof T]: Template<T[K]> } : never)

type Resolvable<V, Input, Steps> = V | ((scope: Scope<Input, Steps>) => V)

export interface StepOptions<I, Input, Steps, Own = Record<never, never>> {
  input?: Resolvable<Template<I>, Input, Steps>
  retry?: RetryPolicy
  timeoutMs?: number
  onError?: string
  description?: string
  /** What undoes the step once it succeeded, when the run fails unrouted or is cancelled (its input sees the step's own output too). */
  compensate?: BranchSpec<Input, Steps & Own>
}

export type EdgeSpec<Input, Steps> =
  | { if: Resolvable<string, Input, Steps>; goto: string }
  | { else: string }

/** How an interpolated reference reads: a `${path}` template in values, the bare path in CEL. */
type ReferenceMode = 'template' | 'expression'

function reference(path: string, mode: ReferenceMode): unknown {
  const text = mode === 'template' ? `\${${path}}` : path
  const target = {
    toJSON: () => `\${${path}}`,
    toString: () => text,
    [Symbol.toPrimitive]: () => text,
  }
  return new Proxy(target, {
    get(t, key) {
      if (typeof key === 'symbol' || key === 'toJSON' || key === 'toString')
        return Reflect.get(t, key)
      return reference(`${path}.${key}`, mode)
    },
  })
}

function scopeOf(mode: ReferenceMode): unknown {
  return {
    input: reference('input', mode),
    steps: new Proxy({}, { get: (_, id) => reference(`steps.${String(id)}`, mode) }),
    run: reference('run', mode),
  }
}

/** The scope of step inputs and the flow output: references become `${…}` templates. */
const scope = scopeOf('template')
/** The scope of conditions: references become bare CEL paths. */
const conditionScope = scopeOf('expression')

function resolve<V>(value: Resolvable<V, unknown, unknown>): JsonValue {
  const v = typeof value === 'function' ? (value as (s: unknown) => V)(scope) : value
  return JSON.parse(JSON.stringify(v)) as JsonValue
}

/** A parallel step's branch: a task or a flow to call, with its input, retry and timeout. */
export interface BranchSpec<Input, Steps> {
  readonly call: TaskSpec<unknown, unknown> | FlowSpec<unknown, unknown>
  readonly input?: Resolvable<
    Record<string, unknown> | readonly unknown[] | string | number | boolean | null,
    Input,
    Steps
  >
  readonly retry?: RetryPolicy
  readonly timeoutMs?: number
}

/** A branch's or a compensation's call as the document writes it. */
function callOf<Input, Steps>(branch: BranchSpec<Input, Steps>): Branch {
  const { call, input, retry, timeoutMs } = branch
  const common = {
    ...(input === undefined
      ? {}
      : { input: resolve(input as Resolvable<unknown, unknown, unknown>) }),
    ...(retry ? { retry } : {}),
  }
  return 'flow' in call
    ? { flow: call.flow, ...common }
    : { task: call.ref, ...common, ...(timeoutMs === undefined ? {} : { timeoutMs }) }
}

/** The output type of a task or flow handle. */
type OutputOf<C> = C extends { readonly __io?: { output: infer O } } ? O : unknown

export class FlowBuilder<Input = unknown, Steps = Record<never, never>> {
  readonly #doc: FlowDocument
  constructor(doc: FlowDocument) {
    this.#doc = doc
  }

  #with<I2 = Input, S2 = Steps>(change: Partial<FlowDocument>): FlowBuilder<I2, S2> {
    return new FlowBuilder<I2, S2>({ ...this.#doc, ...change })
  }

  describe(description: string): FlowBuilder<Input, Steps> {
    return this.#with({ description })
  }

  process(process: string): FlowBuilder<Input, Steps> {
    return this.#with({ process })
  }

  /** Declares the flow input: its JSON Schema, and its TS type as the type parameter. */
  input<T>(schema: ValueSchema): FlowBuilder<T, Steps> {
    return this.#with<T, Steps>({ input: schema })
  }

  /** A task step, or a `flow` step when `spec` is a sub-flow (its run is a child run this step waits for). */
  step<Id extends string, I, O>(
    id: Id,
    spec: TaskSpec<I, O> | FlowSpec<I, O> | string,
    options: StepOptions<I, Input, Steps, { [K in Id]: O }> = {},
  ): FlowBuilder<Input, Steps & { [K in Id]: O }> {
    const input =
      options.input === undefined
        ? undefined
        : resolve(options.input as Resolvable<unknown, unknown, unknown>)
    const common = {
      ...(options.description === undefined ? {} : { description: options.description }),
      ...(input === undefined ? {} : { input }),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.compensate ? { compensate: callOf(options.compensate) } : {}),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    }
    if (typeof spec !== 'string' && 'flow' in spec) {
      if (options.timeoutMs !== undefined)
        throw new Error(`step "${id}" calls a flow: the child flow's own timeoutMs bounds it`)
      const step: FlowStep = { id, flow: spec.flow, ...common }
      return this.#push(step)
    }
    const step: TaskStep = { id, task: typeof spec === 'string' ? spec : spec.ref, ...common }
    if (options.timeoutMs !== undefined) step.timeoutMs = options.timeoutMs
    return this.#push(step)
  }

  /**
   * A parallel step: each branch calls a task or a flow (a child run), all at
   * once; its output has one property per branch, typed by its call's output.
   */
  parallel<Id extends string, B extends Record<string, BranchSpec<Input, Steps>>>(
    id: Id,
    branches: B,
    options: { onError?: string; description?: string } = {},
  ): FlowBuilder<Input, Steps & { [K in Id]: { [N in keyof B]: OutputOf<B[N]['call']> } }> {
    const parallel: Record<string, Branch> = {}
    for (const [name, branch] of Object.entries(branches)) parallel[name] = callOf(branch)
    return this.#push({
      id,
      parallel,
      ...(options.onError === undefined ? {} : { onError: options.onError }),
      ...(options.description === undefined ? {} : { description: options.description }),
    })
  }

  /** A step whose output is a template's value (give its type as `T`). */
  set<Id extends string, T = unknown>(
    id: Id,
    value: Resolvable<Template<T>, Input, Steps>,
  ): FlowBuilder<Input, Steps & { [K in Id]: T }> {
    return this.#push({ id, set: resolve(value as Resolvable<unknown, unknown, unknown>) })
  }

  /** A step that fails on purpose (kind `task_error`, with `code` when given); only `onError` leads on from it. */
  fail<Id extends string>(
    id: Id,
    message: Resolvable<Template<string>, Input, Steps>,
    options: { code?: string; retry?: RetryPolicy; onError?: string } = {},
  ): FlowBuilder<Input, Steps & { [K in Id]: never }> {
    const failure = {
      message: resolve(message as Resolvable<unknown, unknown, unknown>),
      ...(options.code === undefined ? {} : { code: options.code }),
    }
    return this.#push({
      id,
      fail: failure,
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.onError === undefined ? {} : { onError: options.onError }),
    })
  }

  sleep<Id extends string>(
    id: Id,
    duration: string | number,
  ): FlowBuilder<Input, Steps & { [K in Id]: null }> {
    return this.#push({ id, sleep: duration })
  }

  waitFor<Id extends string, E = unknown>(
    id: Id,
    event: string,
    options: { schema?: ValueSchema; timeoutMs?: number; onError?: string } = {},
  ): FlowBuilder<Input, Steps & { [K in Id]: E }> {
    return this.#push({ id, waitFor: event, ...options })
  }

  /** Sets the edges of the last step added. */
  branch(edges: EdgeSpec<Input, Steps>[]): FlowBuilder<Input, Steps> {
    return this.#setNext(
      edges.map((e) =>
        'else' in e
          ? { else: e.else }
          : { if: resolveCondition(e.if as Resolvable<string, unknown, unknown>), goto: e.goto },
      ),
    )
  }

  /** Sends the run from the last step added to `target` (a step id or `end`). */
  next(target: string): FlowBuilder<Input, Steps> {
    return this.#setNext(target)
  }

  output(
    template: Resolvable<JsonValue | Expr<unknown> | Record<string, unknown>, Input, Steps>,
  ): FlowBuilder<Input, Steps> {
    return this.#with({ output: resolve(template as Resolvable<unknown, unknown, unknown>) })
  }

  trigger(trigger: Trigger): FlowBuilder<Input, Steps> {
    return this.#with({ triggers: [...(this.#doc.triggers ?? []), trigger] })
  }

  concurrency(limit: number): FlowBuilder<Input, Steps> {
    return this.#with({ concurrency: { limit } })
  }

  timeout(ms: number): FlowBuilder<Input, Steps> {
    return this.#with({ timeoutMs: ms })
  }

  toJSON(): FlowDocument {
    return structuredClone(this.#doc)
  }

  #push<S2>(step: Step): FlowBuilder<Input, S2> {
    return this.#with<Input, S2>({ steps: [...this.#doc.steps, step] })
  }

  #setNext(next: Next): FlowBuilder<Input, Steps> {
    const steps = [...this.#doc.steps]
    const last = steps.at(-1)
    if (!last) throw new Error('add a step before setting its edges')
    if ('fail' in last) throw new Error(`fail step "${last.id}" has no edges: it never succeeds`)
    steps[steps.length - 1] = { ...last, next }
    return this.#with({ steps })
  }
}

function resolveCondition(condition: Resolvable<string, unknown, unknown>): string {
  return typeof condition === 'function'
    ? condition(conditionScope as Scope<unknown, unknown>)
    : condition
}

/** Starts a flow document named `name`. */
export function flow(name: string): FlowBuilder {
  return new FlowBuilder({ name, steps: [] })
}
