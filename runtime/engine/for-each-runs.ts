/**
 * For-each steps (DESIGN §12): the list is evaluated, held to `maxItems`
 * before any call starts, and each element's call runs as a child run of the
 * step's one-step flow, at most `concurrency` at a time. The step's wait
 * records how many items started and which run now; each child's end wakes
 * the run, which starts the next ones in the same commit that records it.
 * The output is the array of the calls' outputs in the list's order; the
 * first failure fails the step (child_failed, with its index) and cancels the
 * items still going, or with `continueOnError` becomes `{ ok: false, error }`.
 */
import {
  type CompiledForEach,
  type CompiledStep,
  evaluateTemplate,
  type JsonValue,
} from '../../types/index.js'
import { valueOverLimits } from '../errors.js'
import { type RunError, type RunRecord, type StepWait, terminalStatuses } from '../store/records.js'
import type { NewRun, RunChange } from '../store/store.js'
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
import { outputBytes, reusedItems } from './for-each-items.js'
import type { RunDriver } from './run-driver.js'
import type { RunState } from './run-state.js'
import { stepOutcomeChange } from './step-outcome.js'

type ItemsWait = Extract<StepWait, { kind: 'items' }>

const defaultMaxItems = 10_000

/** The evaluated list of each run's for-each step run, kept while it waits (re-evaluated after a restart). */
const lists = new WeakMap<RunState, { key: string; items: JsonValue[] }>()

const ended = (run: RunRecord | undefined) => !run || terminalStatuses.has(run.status)

export async function forEachStep(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  each: CompiledForEach,
): Promise<boolean> {
  const waiting = state.progress.waiting
  const failed = (kind: RunError['kind'], message: string, details?: JsonValue) =>
    failBeforeStart(driver, state, step, undefined, {
      kind,
      message,
      ...(details === undefined ? {} : { details }),
    })
  const listed = listOf(state, step, each)
  if ('error' in listed) {
    await failed(listed.error.kind, listed.error.message, listed.error.details)
    return true
  }
  const { items } = listed
  if (waiting?.kind !== 'items') {
    const maxItems = state.loaded.record.document.limits?.maxItems ?? defaultMaxItems
    if (items.length > maxItems) {
      await failed(
        'limit_exceeded',
        `forEach step "${step.id}" has ${items.length} items, more than its flow's limits.maxItems (${maxItems})`,
        { code: 'max_items', limit: maxItems, items: items.length },
      )
      return true
    }
    const tooDeep = nestingFailure(driver, state, `the items of forEach step "${step.id}"`)
    if (tooDeep) {
      await failBeforeStart(driver, state, step, undefined, tooDeep)
      return true
    }
    const reused = await reusedItems(driver, state, step)
    const start: ItemsWait = {
      kind: 'items',
      since: driver.clock.now(),
      total: items.length,
      next: 0,
      running: {},
      ...(reused.size > 0 ? { reused: reused.size } : {}),
      bytes: [...reused.values()].reduce((sum, run) => sum + outputBytes(run.output), 0),
    }
    return advance(driver, state, step, each, items, start, {}, true)
  }
  const entries = Object.entries(waiting.running)
  const runs = await Promise.all(entries.map(([, id]) => driver.store.getRun(id)))
  // The outputs gathered so far, held to the stored-value limit as they come.
  const bytes = runs.reduce(
    (sum, run) =>
      run && terminalStatuses.has(run.status)
        ? sum + outputBytes(run.status === 'completed' ? run.output : run.error)
        : sum,
    waiting.bytes ?? 0,
  )
  const maxBytes = driver.catalog.limits.value.maxBytes
  const going = entries.filter((_, i) => !ended(runs[i])).map(([, run]) => run)
  if (bytes > maxBytes) {
    const done = waiting.next - going.length
    const outcome: Outcome = {
      status: 'failed',
      error: {
        step: step.id,
        task: '',
        kind: 'limit_exceeded',
        message: `the output of forEach step "${step.id}" passed the stored-value limit of ${maxBytes} bytes after ${done} of ${waiting.total} items (WEIR_MAX_VALUE_KB)`,
        details: { code: 'value_too_large', limit: maxBytes },
        attempt: state.progress.attempt,
      },
    }
    await endChildWait(driver, state, step, outcome, attemptOf(waiting), going)
    return true
  }
  if (!each.continueOnError) {
    const at = runs.findIndex((run) => ended(run) && run?.status !== 'completed')
    if (at >= 0) {
      const [index = '', id = ''] = entries[at] ?? []
      const outcome = itemFailure(step, state, Number(index), id, runs[at])
      await endChildWait(driver, state, step, outcome, attemptOf(waiting), going)
      return true
    }
  }
  const still = Object.fromEntries(entries.filter((_, i) => !ended(runs[i])))
  const changed = Object.keys(still).length < entries.length
  const room = Math.min(each.concurrency - Object.keys(still).length, waiting.total - waiting.next)
  if (!changed && room <= 0) return false
  if (waiting.next >= waiting.total && Object.keys(still).length === 0) {
    const outcome = await aggregate(driver, state, step, each, waiting.total)
    await endChildWait(driver, state, step, outcome, attemptOf(waiting))
    return true
  }
  return advance(driver, state, step, each, items, { ...waiting, bytes }, still, false)
}

const attemptOf = (wait: ItemsWait) => ({
  input: { items: wait.total } as JsonValue,
  log: `${wait.total} items`,
})

/** The list, evaluated once per step run and attempt (again after a restart). */
function listOf(
  state: RunState,
  step: CompiledStep,
  each: CompiledForEach,
): { items: JsonValue[] } | { error: Pick<RunError, 'kind' | 'message' | 'details'> } {
  const key = `${state.progress.stepSeq}/${state.progress.attempt}`
  const known = lists.get(state)
  if (known?.key === key) return { items: known.items }
  let value: JsonValue | undefined
  try {
    value = evaluateTemplate(each.list, state.scope)
  } catch (error) {
    return {
      error: templateFailure(error, 'input_invalid', `the list of forEach step "${step.id}": `),
    }
  }
  if (!Array.isArray(value))
    return {
      error: {
        kind: 'input_invalid',
        message: `the list of forEach step "${step.id}" is not a list`,
      },
    }
  lists.set(state, { key, items: value })
  return { items: value }
}

/** Starts the next items (as many as the concurrency leaves room for) and records the wait; true. */
async function advance(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  each: CompiledForEach,
  items: readonly JsonValue[],
  wait: ItemsWait,
  still: Readonly<Record<string, string>>,
  starting: boolean,
): Promise<boolean> {
  const now = driver.clock.now()
  if (items.length === 0) {
    // Nothing to call: the step succeeds at once with an empty list.
    const report = {
      step,
      stepSeq: state.progress.stepSeq,
      attempt: state.progress.attempt,
      input: { items: 0 },
      outcome: { status: 'succeeded' as const, output: [] },
      log: '',
      startedAt: now,
      finishedAt: now,
    }
    await driver.commit(state, stepOutcomeChange(state, report))
    return true
  }
  const loaded = { ...state.loaded, compiled: each.inline }
  const reused = await reusedItems(driver, state, step)
  const room = each.concurrency - Object.keys(still).length
  const children: NewRun[] = []
  let index = wait.next
  for (; index < wait.total && children.length < room; index++) {
    // An item an earlier attempt completed is not run again.
    if (reused.has(index)) continue
    let input: JsonValue
    try {
      input = each.input
        ? (evaluateTemplate(
            each.input,
            state.scope.forItem(each.itemEnvironment, items[index] ?? null, index),
          ) ?? null)
        : (items[index] ?? null)
    } catch (error) {
      const f = templateFailure(error, 'input_invalid', `item ${index}: `)
      await failBeforeStart(driver, state, step, undefined, f)
      return true
    }
    children.push(newChild(driver, state, step, loaded, input, now, { index }, step.id))
  }
  const running = {
    ...still,
    ...Object.fromEntries(children.map((c) => [String(c.parent?.index ?? 0), c.id])),
  }
  const next: ItemsWait = { ...wait, next: index, running }
  if (index >= wait.total && Object.keys(running).length === 0) {
    // Every item left was completed by an earlier attempt.
    const outcome = await aggregate(driver, state, step, each, wait.total)
    await endChildWait(driver, state, step, outcome, attemptOf(wait))
    return true
  }
  await driver.commit(state, {
    ...waitChange(state, step, next, starting, now),
    children,
  })
  for (const child of children) adoptChild(driver, state, child, loaded)
  return true
}

/** The change that records the wait of a for-each step (starting it: its step run and event too). */
function waitChange(
  state: RunState,
  step: CompiledStep,
  wait: ItemsWait,
  starting: boolean,
  at: number,
): RunChange {
  const started = starting
    ? { input: { items: wait.total }, data: { items: wait.total } }
    : undefined
  return childWaitChange(state.id, state.progress, step, wait, started, at)
}

function itemFailure(
  step: CompiledStep,
  state: RunState,
  index: number,
  id: string,
  child: RunRecord | undefined,
): Outcome {
  const what = `item ${index} (child run ${id})`
  return childFailure(step, state.progress.attempt, what, id, child, { index })
}

/** The array of the items' outputs, in order (with continueOnError, each `{ ok, output | error }`). */
async function aggregate(
  driver: RunDriver,
  state: RunState,
  step: CompiledStep,
  each: CompiledForEach,
  total: number,
): Promise<Outcome> {
  const children = await driver.store.childRuns(
    state.id,
    state.progress.stepSeq,
    state.progress.attempt,
  )
  const byIndex = new Map(children.map((c) => [c.parent?.index ?? -1, c]))
  const reused = await reusedItems(driver, state, step)
  const output: JsonValue[] = []
  for (let index = 0; index < total; index++) {
    const child = byIndex.get(index) ?? reused.get(index)
    const ok = child?.status === 'completed'
    if (!each.continueOnError) output.push(child?.output ?? null)
    else if (ok) output.push({ ok: true, output: child?.output ?? null })
    else
      output.push({
        ok: false,
        error: (child?.error ?? {
          step: step.id,
          task: '',
          kind: 'child_failed',
          message: `item ${index} ${child?.status ?? 'did not run'}`,
          attempt: state.progress.attempt,
        }) as unknown as JsonValue,
      })
  }
  const tooLarge = valueOverLimits(
    `the output of forEach step "${step.id}"`,
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
