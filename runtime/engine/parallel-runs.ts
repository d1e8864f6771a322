/**
 * Parallel steps (DESIGN §12): each branch runs as a child run of its
 * branch's one-step flow (its task or flow call, with its retry and timeout),
 * all started in the transaction that puts the step to wait. The step
 * succeeds with the object of the branches' outputs once all completed; the
 * first branch found failed (after its retries) fails it with
 * `child_failed`, naming the branch, and stops the others.
 */
import {
  type CompiledBranch,
  type CompiledStep,
  evaluateTemplate,
  type JsonValue,
} from '../../types/index.js'
import { valueOverLimits } from '../errors.js'
import { type RunRecord, terminalStatuses } from '../store/records.js'
import type { NewRun } from '../store/store.js'
import {
  adoptChild,
  childFailure,
  childWaitChange,
  endChildWait,
  failBeforeStart,
  nestingFailure,
  newChild,
} from './child-runs.js'
import type { Outcome } from './decide.js'
import { templateFailure } from './evaluation-failure.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'
import { stepInput } from './step-input.js'

/** Starts the branches, or (waiting) ends the step once they decided it; false while they run. */
export async function parallelStep(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  branches: ReadonlyMap<string, CompiledBranch>,
): Promise<boolean> {
  const waiting = state.progress.waiting
  if (waiting?.kind === 'branches') {
    const names = Object.keys(waiting.runs)
    const runs = await Promise.all(
      names.map((name) => driver.store.getRun(waiting.runs[name] ?? '')),
    )
    const ended = (run: RunRecord | undefined) => !run || terminalStatuses.has(run.status)
    const failedAt = runs.findIndex((run) => ended(run) && run?.status !== 'completed')
    if (failedAt < 0 && !runs.every(ended)) return false
    const inputs = Object.fromEntries(runs.map((run, i) => [names[i], run?.input ?? null]))
    const attempt = { input: inputs as JsonValue, log: `branches ${JSON.stringify(waiting.runs)}` }
    const outcome =
      failedAt >= 0
        ? branchFailure(step, state, names[failedAt] ?? '', waiting.runs, runs[failedAt])
        : branchesOutput(driver, step, state, names, runs)
    // The first failure stops the branches still going.
    const going = names.filter((_, i) => !ended(runs[i])).map((name) => waiting.runs[name] ?? '')
    await endChildWait(driver, state, step, outcome, attempt, going)
    return true
  }
  await startBranches(driver, state, step, branches)
  return true
}

function branchFailure(
  step: CompiledStep,
  state: RunState,
  branch: string,
  runs: Readonly<Record<string, string>>,
  child: RunRecord | undefined,
): Outcome {
  const id = runs[branch] ?? ''
  const what = `branch "${branch}" (child run ${id})`
  return childFailure(step, state.progress.attempt, what, id, child, { branch })
}

/** The object of the branches' outputs, held to the stored-value limits. */
function branchesOutput(
  driver: RunDriver,
  step: CompiledStep,
  state: RunState,
  names: readonly string[],
  runs: readonly (RunRecord | undefined)[],
): Outcome {
  const output = Object.fromEntries(names.map((name, i) => [name, runs[i]?.output ?? null]))
  const tooLarge = valueOverLimits(
    `the output of parallel step "${step.id}"`,
    output,
    driver.catalog.limits.value,
  )
  if (!tooLarge) return { status: 'succeeded', output }
  return {
    status: 'failed',
    error: {
      step: step.id,
      task: '',
      kind: 'limit_exceeded',
      message: tooLarge.message,
      attempt: state.progress.attempt,
    },
  }
}

async function startBranches(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  branches: ReadonlyMap<string, CompiledBranch>,
): Promise<void> {
  const tooDeep = nestingFailure(driver, state, `the branches of parallel step "${step.id}"`)
  if (tooDeep) return failBeforeStart(driver, state, step, undefined, tooDeep)
  const inputs: Record<string, JsonValue> = {}
  for (const [name, branch] of branches) {
    try {
      if (branch.input) inputs[name] = evaluateTemplate(branch.input, state.scope) ?? null
      else {
        const prepared = stepInput(state, step)
        if ('error' in prepared)
          return failBeforeStart(driver, state, step, undefined, prepared.error)
        inputs[name] = prepared.input
      }
    } catch (error) {
      const f = templateFailure(error, 'input_invalid', `branch "${name}": `)
      return failBeforeStart(driver, state, step, inputs, f)
    }
  }
  const now = driver.clock.now()
  const children: { child: NewRun; loaded: typeof state.loaded }[] = []
  for (const [name, branch] of branches) {
    const loaded = { ...state.loaded, compiled: branch.inline }
    const child = newChild(
      driver,
      state,
      step,
      loaded,
      inputs[name] ?? null,
      now,
      { branch: name },
      `${step.id}/${name}`,
    )
    children.push({ child, loaded })
  }
  const runs = Object.fromEntries(
    children.map(({ child }, i) => [[...branches.keys()][i], child.id]),
  )
  await driver.commit(state, {
    ...childWaitChange(
      state.id,
      state.progress,
      step,
      { kind: 'branches', since: now, runs },
      { input: inputs, data: { branches: runs } },
      now,
    ),
    children: children.map(({ child }) => child),
  })
  for (const { child, loaded } of children) adoptChild(driver, state, child, loaded)
}
