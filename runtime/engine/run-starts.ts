/**
 * Creating a run: its input checked, its first progress (queued when its
 * flow's concurrency limit is reached), the row stored as this node's (epoch
 * 1), and the run handed to the run loop.
 */
import {
  type CompiledStep,
  type JsonLimits,
  type JsonValue,
  validateValue,
} from '../../types/index.js'
import type { LoadedFlow } from '../catalog/catalog.js'
import { invalidDocument, NoSlotError, valueOverLimits } from '../errors.js'
import { sortableId } from '../ids.js'
import type { RunRecord } from '../store/records.js'
import type { RunProgress } from '../store/store.js'
import { formatTraceparent, parseTraceparent } from '../tracing/trace-ids.js'
import type { StartOptions } from './engine.js'
import type { RunDriver } from './run-driver.js'
import { logStatus } from './run-observers.js'
import { RunState } from './run-state.js'

/** Refuses an input that does not match the flow's input schema, with every problem. */
export function checkInput(loaded: LoadedFlow, input: JsonValue, limits: JsonLimits): void {
  const tooLarge = valueOverLimits('the input', input, limits)
  if (tooLarge) throw tooLarge
  const schema = loaded.record.document.input
  const problems = schema ? validateValue(schema, input) : []
  if (problems.length > 0)
    throw invalidDocument(
      `the input does not match flow ${loaded.record.name}'s input schema`,
      problems,
    )
}

/** A run's first progress: at its first step, running (its deadline set) or queued. */
export function firstProgress(loaded: LoadedFlow, now: number, queued: boolean): RunProgress {
  const first = loaded.compiled.steps[0] as CompiledStep
  // The compiled document's: a branch's, an item's or a compensation's one-step flow has no timeout of its own.
  const timeout = loaded.compiled.document.timeoutMs
  return {
    status: queued ? 'queued' : 'running',
    currentStep: first.id,
    attempt: 1,
    stepSeq: 1,
    stepRuns: 1,
    previousStep: undefined,
    wakeAt: undefined,
    deadline: timeout === undefined || queued ? undefined : now + timeout,
    eventSeq: 1,
    ...(queued ? {} : { startedAt: now }),
  }
}

/** The start itself; `joined` is called when the run is about to join the driver's runs (or is not new). */
export async function createRun(
  driver: RunDriver,
  loaded: LoadedFlow,
  input: JsonValue,
  options: StartOptions,
  joined: () => void,
): Promise<{ run: RunRecord; created: boolean }> {
  const now = driver.clock.now()
  const flow = loaded.record.name
  const limit = loaded.record.document.concurrency?.limit
  let queued = limit !== undefined && !driver.slots.tryAcquire(flow, limit)
  const id = sortableId(now)
  const trace = parseTraceparent(options.traceparent)
  const traceparent = trace ? formatTraceparent(trace) : undefined
  const store = (asQueued: boolean) =>
    driver.store.createRun({
      id,
      flow: { name: flow, version: loaded.record.version },
      process: loaded.record.process,
      input,
      createdAt: now,
      ...(options.idempotencyKey === undefined ? {} : { idempotencyKey: options.idempotencyKey }),
      ...(traceparent === undefined ? {} : { traceparent }),
      owner: { node: driver.node.id, leaseMs: driver.node.leaseMs },
      // A slot this node counts free is taken in the store too: other nodes may hold the flow's slots.
      ...(limit !== undefined && !asQueued ? { slot: { flow, limit } } : {}),
      progress: firstProgress(loaded, now, asQueued),
      events: [
        {
          type: asQueued ? 'run_queued' : 'run_started',
          at: now,
          data: { flow, version: loaded.record.version },
        },
      ],
    })
  const result = await store(queued).catch(async (error: unknown) => {
    // Nothing was stored: the slot taken for this run is free again.
    if (limit !== undefined && !queued) driver.slots.release(flow)
    if (!(error instanceof NoSlotError)) throw error
    queued = true
    return store(true)
  })
  const holdsSlot = limit !== undefined && !queued
  const progress = firstProgress(loaded, now, queued)
  // Nothing is awaited between here and the run joining the driver's runs: counted once.
  joined()
  if (!result.created) {
    if (holdsSlot) driver.slots.release(loaded.record.name)
    return result
  }
  const state = new RunState(
    { id, input, createdAt: now, idempotencyKey: options.idempotencyKey, traceparent },
    loaded,
    progress,
  )
  if (driver.logger) logStatus(driver.logger, state)
  for (const observer of driver.observers) observer.committed(state, undefined, undefined)
  state.holdsSlot = holdsSlot
  // The run is this node's at epoch 1 (createRun stored it so).
  state.epoch = 1
  if (queued) {
    driver.enqueue(state)
    // Started by itself if a slot freed meanwhile; the start is answered now, whatever storage does.
    void driver
      .startQueued(loaded.record.name)
      .catch((error: Error) =>
        driver.logger?.error(
          { flow: loaded.record.name, err: error },
          'could not start a queued run',
        ),
      )
  } else {
    driver.adopt(state)
  }
  return { run: state.toRecord(), created: true }
}
