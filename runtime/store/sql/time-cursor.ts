/**
 * Keyset cursors over (time, id) — runs by creation time, audit entries by
 * their time — as opaque base64url text; a cursor this API did not give out
 * is a 400.
 */
import { WeirError } from '../../errors.js'

export function encodeTimeCursor(at: number, id: string): string {
  return Buffer.from(JSON.stringify([at, id])).toString('base64url')
}

export function decodeTimeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string')
      return [value[0], value[1]]
  } catch {
    // fall through
  }
  throw new WeirError('invalid_request', `cursor "${cursor}" is not one this API gave out`)
}
