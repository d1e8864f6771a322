/**
 * Retention windows as configured (`WEIR_RETENTION`, `WEIR_AUDIT_RETENTION`):
 * `off`, or a positive number with a unit — `s`, `m`, `h` or `d` (`30d`,
 * `12h`, `90m`, `1.5d`) — and how a window reads in the start log.
 */
import { WeirError } from '../errors.js'

const units = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const
const unitWords = { s: 'second', m: 'minute', h: 'hour', d: 'day' } as const
type Unit = keyof typeof units

const pattern = /^(\d+(?:\.\d+)?)([smhd])$/

interface Parsed {
  readonly amount: number
  readonly unit: Unit
}

function parse(text: string): Parsed | 'off' | undefined {
  const value = text.trim().toLowerCase()
  if (value === 'off') return 'off'
  const match = pattern.exec(value)
  const amount = Number(match?.[1])
  if (!match || !(amount > 0)) return undefined
  return { amount, unit: match[2] as Unit }
}

/**
 * The window `text` sets, in milliseconds (undefined: `off`, keep everything).
 * Anything else is an `invalid_request` error naming the setting `name` and
 * what it accepts, so that a typo stops the server at start instead of
 * deleting on a window nobody meant.
 */
export function retentionWindowMs(name: string, text: string): number | undefined {
  const parsed = parse(text)
  if (parsed === undefined)
    throw new WeirError(
      'invalid_request',
      `${name} must be "off" or a positive number followed by s, m, h or d (seconds, minutes, hours, days), such as 30d or 12h, not "${text}"`,
    )
  return parsed === 'off' ? undefined : Math.round(parsed.amount * units[parsed.unit])
}

/** `text` checked (as retentionWindowMs does) and given back as written, for the frozen configuration. */
export function checkedWindow(name: string, text: string): string {
  retentionWindowMs(name, text)
  return text.trim().toLowerCase()
}

/** A window in words: `30 days`, `1 hour`, `1.5 days`. */
function inWords(parsed: Parsed): string {
  const word = unitWords[parsed.unit]
  return `${parsed.amount} ${word}${parsed.amount === 1 ? '' : 's'}`
}

/**
 * The start log's line for a window: what is deleted (`what`, such as
 * "finished runs are deleted") and when (`after`, such as "after they end"),
 * or that nothing is.
 */
export function describeWindow(
  name: string,
  text: string,
  what: { readonly deleted: string; readonly after: string; readonly kept: string },
): string {
  const parsed = parse(text)
  if (parsed === undefined) return `${name}=${text}`
  if (parsed === 'off') return `${what.kept} (${name}=off)`
  return `${what.deleted} ${inWords(parsed)} ${what.after} (${name}=${text})`
}
