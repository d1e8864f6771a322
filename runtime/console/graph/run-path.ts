/**
 * The path a run took through its flow's drawing, from its step runs in order:
 * the steps it went through and the edges between them, as `renderFlowSvg`
 * marks them.
 */

/** A step run as far as the path needs it (a store's `StepRunRecord` is one). */
export interface PathStepRun {
  readonly stepId: string
  /** Set on a compensation's step run: those undo steps and are not on the path. */
  readonly compensates?: number | null
  /** When given, a failed step run followed by one of the same step is a retry of the run, not a loop. */
  readonly status?: string
}

/**
 * Steps visited and edge keys (`${from}->${to}`) taken: `start` to the first
 * step, each step to the next one that ran, and the last to `end` when the run
 * completed.
 */
export function pathOf(
  stepRuns: readonly PathStepRun[],
  runStatus: string,
): { visited: Set<string>; taken: Set<string> } {
  const visited = new Set<string>()
  const taken = new Set<string>()
  let previous: PathStepRun | undefined
  for (const run of stepRuns) {
    if (run.compensates !== undefined && run.compensates !== null) continue
    visited.add(run.stepId)
    if (previous === undefined) taken.add(`start->${run.stepId}`)
    else if (!isRunRetry(previous, run)) taken.add(`${previous.stepId}->${run.stepId}`)
    previous = run
  }
  if (previous !== undefined && runStatus === 'completed') taken.add(`${previous.stepId}->end`)
  return { visited, taken }
}

/** Retrying a failed run starts its failed step again: a second step run, but no edge. */
function isRunRetry(previous: PathStepRun, run: PathStepRun): boolean {
  return (
    previous.stepId === run.stepId &&
    (previous.status === 'failed' ||
      previous.status === 'timed_out' ||
      previous.status === 'cancelled')
  )
}
