/**
 * The cursor of a live stream of runs: a place in the order of run changes
 * (a change time, then a run id) as an opaque string — base64url, so it
 * serves as a server-sent event's id as it is.
 */
import { WeirError } from '../errors.js'
import type { RunChangePosition } from '../store/store.js'

/** The cursor that stands for a place in the order of run changes. */
export function encodeRunsCursor(position: RunChangePosition): string {
  return Buffer.from(JSON.stringify({ at: position.updatedAt, id: position.id })).toString(
    'base64url',
  )
}

/** The place a cursor stands for; `invalid_request` when this API did not make it. */
export function decodeRunsCursor(cursor: string): RunChangePosition {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      const { at, id } = value as { at?: unknown; id?: unknown }
      if (Number.isSafeInteger(at) && typeof id === 'string') return { updatedAt: at as number, id }
    }
  } catch {
    // not JSON: refused below
  }
  throw new WeirError('invalid_request', `cursor "${cursor}" is not one this API gave out`)
}
