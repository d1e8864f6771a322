/**
 * A flow compiled for running: every template and condition parsed and
 * type-checked once, steps indexed, edges resolved to step indexes. The engine
 * walks this structure; nothing on a step's path parses or checks again.
 */

import type { CompiledExpression } from '../expressions/compile-expression.js'
import type { CompiledTemplate } from '../expressions/compile-template.js'
import type { FlowEnvironment } from '../expressions/flow-environment.js'
import type { FlowDocument, Step } from '../generated/flow.js'
import type { ValueSchema } from '../generated/value-schema.js'
import type { CompiledCompensation } from './compensation-step.js'
import type { Target } from './flow-graph.js'
import type { ResolvedFlow } from './flow-refs.js'
import type { CompiledForEach } from './for-each-step.js'
import type { CompiledBranch } from './parallel-step.js'
import type { ResolvedTask } from './task-refs.js'

export interface CompiledEdge {
  /** Undefined for an `else` edge or for falling through to the following step. */
  readonly condition: CompiledExpression | undefined
  readonly target: Target
  /** The edge's index in `next`, or undefined when the run falls through. */
  readonly edgeIndex: number | undefined
  readonly pointer: string
}

export interface CompiledStep {
  readonly index: number
  readonly id: string
  readonly step: Step
  /** The pinned task of a task step. */
  readonly task: ResolvedTask | undefined
  /** The pinned child flow of a flow step. */
  readonly flow: ResolvedFlow | undefined
  /** The input template of a task or flow step; undefined means the output of the step that ran before. */
  readonly input: CompiledTemplate | undefined
  /** A set step's template (its output), or a fail step's message. */
  readonly value: CompiledTemplate | undefined
  /** A parallel step's branches, by name. */
  readonly branches: ReadonlyMap<string, CompiledBranch> | undefined
  /** A for-each step's list, item input and call. */
  readonly forEach: CompiledForEach | undefined
  /** What undoes a task or flow step that succeeded, when the run fails or is cancelled. */
  readonly compensation: CompiledCompensation | undefined
  readonly edges: readonly CompiledEdge[]
  readonly onError: Target | undefined
}

export interface CompiledTrigger {
  readonly index: number
  readonly kind: 'http' | 'cron'
  /** The `when` guard over the trigger's input, when there is one. */
  readonly when: CompiledExpression | undefined
  readonly pointer: string
}

export interface CompiledFlow {
  /** The document with every task reference pinned to `name@version`. */
  readonly document: FlowDocument
  readonly environment: FlowEnvironment
  readonly steps: readonly CompiledStep[]
  readonly stepIndex: ReadonlyMap<string, number>
  /** The output template; undefined means the output of the last step that ran. */
  readonly output: CompiledTemplate | undefined
  /** The schema of the run's output (stored with the version; `flow` steps of other flows type by it). */
  readonly outputSchema: ValueSchema
  /** How many levels of child runs a run of this flow can start below itself. */
  readonly nesting: number
  readonly triggers: readonly CompiledTrigger[]
}
