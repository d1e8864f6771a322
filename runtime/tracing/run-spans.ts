/**
 * Runs, steps and attempts as spans, recorded once their change has
 * committed (so a trace shows what is durable): an attempt's span when its
 * attempt row is written, a step run's span when it ends, the run's span when
 * the run ends — from the stored times, under the ids trace-ids.ts derives,
 * so the spans of a run driven by several nodes or across a restart make one
 * trace: run → step → attempt, and a child run under its parent's step.
 */
import type { RunObserver } from '../engine/run-observers.js'
import type { RunState } from '../engine/run-state.js'
import { type RunStatus, terminalStatuses } from '../store/records.js'
import type { RunChange } from '../store/store.js'
import { parseTraceparent, runSpanId, runTraceId, stepSpanId } from './trace-ids.js'
import type { Tracing } from './tracing.js'

export function runSpans(tracing: Tracing): RunObserver {
  return {
    committed(state, change, previous) {
      if (change) record(tracing, state, change, previous)
    },
  }
}

function record(
  tracing: Tracing,
  state: RunState,
  change: RunChange,
  previous: RunStatus | undefined,
): void {
  const traceId = runTraceId(state.id, state.traceparent)
  const flow = state.loaded.record.name
  const { attempt, stepRun } = change
  if (attempt) {
    const step = stepRun?.stepId ?? state.currentStep?.id ?? ''
    tracing.record({
      name: `attempt ${step} #${attempt.number}`,
      kind: 'internal',
      traceId,
      parentSpanId: stepSpanId(state.id, attempt.stepSeq),
      start: attempt.startedAt,
      end: attempt.finishedAt,
      attributes: {
        'weir.run.id': state.id,
        'weir.flow': flow,
        'weir.step': step,
        'weir.attempt': attempt.number,
        'weir.attempt.status': attempt.status,
      },
      ...(attempt.error ? { error: `${attempt.error.kind}: ${attempt.error.message}` } : {}),
    })
  }
  if (stepRun && stepRun.finishedAt !== undefined && stepRun.status !== 'waiting') {
    tracing.record({
      name: `step ${stepRun.stepId}`,
      kind: 'internal',
      traceId,
      spanId: stepSpanId(state.id, stepRun.seq),
      parentSpanId: runSpanId(state.id),
      start: stepRun.startedAt,
      end: stepRun.finishedAt,
      attributes: {
        'weir.run.id': state.id,
        'weir.flow': flow,
        'weir.step': stepRun.stepId,
        'weir.step.seq': stepRun.seq,
        'weir.step.status': stepRun.status,
        ...(stepRun.task ? { 'weir.task': `${stepRun.task.name}@${stepRun.task.version}` } : {}),
        ...(stepRun.compensates === undefined ? {} : { 'weir.compensates': stepRun.compensates }),
      },
      ...(stepRun.error ? { error: `${stepRun.error.kind}: ${stepRun.error.message}` } : {}),
    })
  }
  const { status, finishedAt, error } = change.progress
  if (!terminalStatuses.has(status) || (previous !== undefined && terminalStatuses.has(previous)))
    return
  const parent = parseTraceparent(state.traceparent)
  tracing.record({
    name: `run ${flow}`,
    kind: 'internal',
    traceId,
    spanId: runSpanId(state.id),
    ...(parent ? { parentSpanId: parent.spanId } : {}),
    start: state.createdAt,
    end: finishedAt ?? state.createdAt,
    attributes: {
      'weir.run.id': state.id,
      'weir.flow': flow,
      'weir.flow.version': state.loaded.record.version,
      'weir.run.status': status,
      ...(state.parent ? { 'weir.parent.run': state.parent.run } : {}),
    },
    ...(status !== 'completed'
      ? { error: error ? `${error.kind}: ${error.message}` : status }
      : {}),
  })
}
