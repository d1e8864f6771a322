/**
 * One attempt of a task step: the task's timeout and environment (secrets
 * opened now, so that a rotation needs no republish), run on the executor with
 * an abort signal that terminate and the run's deadline use.
 */
import type { CompiledStep, JsonValue } from '../../types/index.js'
import { type AttemptResult, AttemptStop } from '../executor/index.js'
import { taskEnvironment } from '../secrets/task-environment.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'

const defaultStepTimeoutMs = 30_000

export async function executeAttempt(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  input: JsonValue,
): Promise<AttemptResult> {
  const ref = step.task ? `${step.task.name}@${step.task.version}` : ''
  const task = state.loaded.tasks.get(ref)
  if (!task || !('task' in step.step)) {
    const message = `task ${ref} of step "${step.id}" is not loaded`
    return { status: 'failed', error: { kind: 'trap', message }, log: '', durationMs: 0 }
  }
  const timeoutMs = step.step.timeoutMs ?? task.timeoutMs ?? defaultStepTimeoutMs
  const env = await taskEnvironment(task.capabilities?.env, driver.secrets)
  if (!env.ok)
    return {
      status: 'failed',
      error: { kind: 'internal', message: env.message },
      log: '',
      durationMs: 0,
    }
  const stop = new AttemptStop()
  state.inFlight = stop
  try {
    return await driver.executor.execute({
      task: { ...task, timeoutMs },
      input,
      group: state.loaded.record.name,
      stop,
      ...(env.environment.vars.length > 0 ? { environment: env.environment } : {}),
    })
  } finally {
    state.inFlight = undefined
  }
}
