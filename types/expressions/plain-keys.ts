/**
 * cel-js tells a value's type by its `constructor`, so an object with an own
 * `constructor` key (`{"constructor": 1}`, legal JSON) would not evaluate.
 * Such objects are handed to CEL as Maps, which it reads the same way; every
 * other value is passed through unchanged (no copy when nothing needs it).
 */
import type { JsonValue } from '../json.js'

export function plainKeys(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || value instanceof Map) return value
  if (Array.isArray(value)) {
    let out: unknown[] | undefined
    for (let i = 0; i < value.length; i++) {
      const item = plainKeys(value[i])
      if (item !== value[i]) {
        out ??= value.slice()
        out[i] = item
      }
    }
    return out ?? value
  }
  const record = value as Record<string, JsonValue>
  let changed: [string, unknown][] | undefined
  const entries = Object.entries(record)
  for (let i = 0; i < entries.length; i++) {
    const [key, item] = entries[i] as [string, unknown]
    const fixed = plainKeys(item)
    if (fixed !== item) {
      changed ??= entries.slice()
      changed[i] = [key, fixed]
    }
  }
  if (Object.hasOwn(record, 'constructor')) return new Map(changed ?? entries)
  if (!changed) return value
  const out: Record<string, unknown> = Object.create(null)
  for (const [key, item] of changed) out[key] = item
  return out
}
