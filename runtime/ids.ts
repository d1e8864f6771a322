/**
 * Identifiers that sort by creation time (run ids): 10 characters of
 * millisecond timestamp and 16 of randomness in Crockford base32, increasing
 * monotonically within one process even inside one millisecond.
 */
import { randomBytes } from 'node:crypto'

const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'
let lastTime = -1
let lastRandom: number[] = []

function encodeTime(ms: number): string {
  let out = ''
  let value = ms
  for (let i = 0; i < 10; i++) {
    out = alphabet[value % 32] + out
    value = Math.floor(value / 32)
  }
  return out
}

function increment(digits: number[]): number[] {
  const out = [...digits]
  for (let i = out.length - 1; i >= 0; i--) {
    if ((out[i] as number) < 31) {
      out[i] = (out[i] as number) + 1
      return out
    }
    out[i] = 0
  }
  return out
}

/** A new time-ordered id; `now` is injectable for tests. */
export function sortableId(now = Date.now()): string {
  if (now === lastTime) {
    lastRandom = increment(lastRandom)
  } else {
    lastTime = now
    lastRandom = [...randomBytes(16)].map((b) => b % 32)
  }
  return encodeTime(now) + lastRandom.map((d) => alphabet[d]).join('')
}
