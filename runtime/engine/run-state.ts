/**
 * A run as the engine holds it in memory while it is active: its compiled
 * flow, durable progress (a copy of what is committed), the values its
 * expressions see, and the operations requested on it.
 */
import { type CompiledStep, ExpressionScope, type JsonValue } from '../../types/index.js'
import type { LoadedFlow } from '../catalog/catalog.js'
import type { AttemptStop } from '../executor/index.js'
import type { RunError, RunParent, RunRecord, RunStatus } from '../store/records.js'
import type { RunProgress } from '../store/store.js'

export type Requested = 'cancel' | 'terminate' | 'pause' | undefined

export class RunState {
  readonly id: string
  readonly loaded: LoadedFlow
  readonly input: JsonValue
  readonly createdAt: number
  readonly idempotencyKey: string | undefined
  progress: RunProgress
  readonly scope: ExpressionScope
  /** An operation to apply at the next point the run can stop. */
  requested: Requested
  /** Set while an attempt runs; aborting it terminates the attempt. */
  inFlight: AttemptStop | undefined
  /** Cancels a pending wake-up timer. */
  cancelTimer: (() => void) | undefined
  /** True while the run loop drives this run (one driver at a time). */
  driving = false
  /** Set when the run was kicked while driven: it is driven again when that ends. */
  kickAgain = false
  /** True while the run holds a slot of its flow's concurrency limit. */
  holdsSlot = false
  /** The epoch of this node's lease on the run: its commits are fenced by it (undefined: not fenced). */
  epoch: number | undefined
  /** For a child run: the run and step that started it. */
  readonly parent: RunParent | undefined
  /** The root of its tree (its own id for a root run), and how many levels below it the run is. */
  readonly root: string
  readonly depth: number
  /** The W3C trace context it was started under (tracing derives the rest from its id). */
  readonly traceparent: string | undefined

  constructor(
    record: Pick<
      RunRecord,
      'id' | 'input' | 'createdAt' | 'idempotencyKey' | 'parent' | 'root' | 'depth' | 'traceparent'
    >,
    loaded: LoadedFlow,
    progress: RunProgress,
    values: Readonly<Record<string, { output?: JsonValue; error?: RunError }>> = {},
  ) {
    this.id = record.id
    this.loaded = loaded
    this.input = record.input
    this.createdAt = record.createdAt
    this.idempotencyKey = record.idempotencyKey
    this.parent = record.parent
    this.root = record.root ?? record.id
    this.depth = record.depth ?? 0
    this.traceparent = record.traceparent
    this.progress = progress
    const steps: Record<string, { output?: JsonValue; error?: JsonValue }> = {}
    for (const [id, v] of Object.entries(values)) {
      steps[id] = {
        ...(v.output === undefined ? {} : { output: v.output }),
        ...(v.error === undefined ? {} : { error: v.error as unknown as JsonValue }),
      }
    }
    this.scope = new ExpressionScope(loaded.compiled.environment, {
      input: record.input,
      steps,
      run: {
        id: record.id,
        flow: loaded.record.name,
        version: loaded.record.version,
        attempt: progress.attempt,
      },
    })
    this.requested = undefined
    this.inFlight = undefined
    this.cancelTimer = undefined
  }

  get status(): RunStatus {
    return this.progress.status
  }

  get stepIndex(): number | undefined {
    const id = this.progress.currentStep
    return id === undefined ? undefined : this.loaded.compiled.stepIndex.get(id)
  }

  get currentStep(): CompiledStep | undefined {
    const index = this.stepIndex
    return index === undefined ? undefined : this.loaded.compiled.steps[index]
  }

  toRecord(): RunRecord {
    const p = this.progress
    return {
      id: this.id,
      flow: { name: this.loaded.record.name, version: this.loaded.record.version },
      process: this.loaded.record.process,
      status: p.status,
      input: this.input,
      output: p.output,
      error: p.error,
      createdAt: this.createdAt,
      startedAt: p.startedAt,
      finishedAt: p.finishedAt,
      currentStep: p.currentStep,
      waiting: p.waiting,
      idempotencyKey: this.idempotencyKey,
      ...(this.parent ? { parent: this.parent, root: this.root, depth: this.depth } : {}),
      ...(p.compensation ? { compensation: p.compensation.status } : {}),
      ...(this.traceparent ? { traceparent: this.traceparent } : {}),
    }
  }
}
