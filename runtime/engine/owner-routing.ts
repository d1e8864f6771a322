/**
 * Where a request for a run is applied (DESIGN §13, any node answers any
 * request): here when this node drives the run, or takes it (no live lease
 * holds it: its owner stopped or died); else at the node that owns it,
 * through the store (run-requests.ts), whose answer is given as its own.
 */
import type { JsonValue } from '../../types/index.js'
import { type RunRecord, terminalStatuses } from '../store/records.js'
import type { ClaimedRun, RunRequestRecord } from '../store/store.js'
import type { CallbackBody } from './callbacks.js'
import type { RunDriver } from './run-driver.js'
import * as operations from './run-operations.js'
import { askOwner, type RunRequest } from './run-requests.js'
import * as waits from './step-waits.js'

/** Applies `local` here, or asks the run's owner to apply `request`. */
export async function atOwner<T>(
  driver: RunDriver,
  adopt: (claimed: readonly ClaimedRun[]) => Promise<void>,
  request: RunRequest,
  local: () => Promise<T>,
): Promise<T> {
  if (driver.runs.has(request.runId)) return local()
  const owner = await driver.store.runOwner(request.runId)
  if (!owner || terminalStatuses.has(owner.status) || owner.owner === driver.node.id) return local()
  if (!owner.live && !driver.stopping) {
    const claimed = await driver.store.claimRun(driver.node.id, request.runId, driver.node.leaseMs)
    if (claimed) {
      await adopt([claimed])
      return local()
    }
  }
  return (await askOwner(driver.store, request)) as unknown as T
}

const asJson = (value: RunRecord | { run: RunRecord; step: string }) =>
  value as unknown as JsonValue

/** Applies a request another node recorded for a run this node drives. */
export async function applyRequest(
  driver: RunDriver,
  request: RunRequestRecord,
): Promise<JsonValue> {
  const id = request.runId
  const body = (request.body ?? {}) as Readonly<Record<string, JsonValue>>
  switch (request.kind) {
    case 'cancel':
      return asJson(await operations.cancel(driver, id))
    case 'terminate':
      return asJson(await operations.terminate(driver, id))
    case 'pause':
      return asJson(await operations.pause(driver, id))
    case 'resume':
      return asJson(await operations.resume(driver, id))
    case 'event':
      return asJson(await waits.deliverEvent(driver, id, String(body.name), body.payload ?? null))
    case 'callback':
      return asJson(
        await waits.callback(driver, String(body.token), body.body as unknown as CallbackBody),
      )
    case 'wake':
      driver.wake(id)
      return null
    default: {
      const unknown: never = request.kind
      throw new Error(`unknown run request ${String(unknown)}`)
    }
  }
}
