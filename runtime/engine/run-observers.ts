/**
 * What is told of a run's changes once they have committed: the log (a line
 * per status change) and observers (tracing, metrics), each optional, so a
 * step pays for none that is not there.
 */
import type { RunStatus } from '../store/records.js'
import type { RunChange } from '../store/store.js'
import type { RunState } from './run-state.js'

export interface EngineLogger {
  info(fields: Record<string, unknown>, message: string): void
  error(fields: Record<string, unknown>, message: string): void
}

/** Something told of each change of a run once it has committed (a start, a step's end, a run's end). */
export interface RunObserver {
  /** `previous`: the run's status before the change (undefined: the run was just created). */
  committed(state: RunState, change: RunChange | undefined, previous: RunStatus | undefined): void
}

/** The log line of a run's new status (with its error when it failed): the run id and its flow. */
export function logStatus(logger: EngineLogger, state: RunState): void {
  const { status, error } = state.progress
  const fields = {
    run: state.id,
    flow: state.loaded.record.name,
    version: state.loaded.record.version,
    status,
    ...(error ? { step: error.step, kind: error.kind, error: error.message } : {}),
  }
  logger.info(fields, `run ${status}`)
}
