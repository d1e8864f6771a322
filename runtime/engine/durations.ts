/**
 * Durations of sleep steps: milliseconds, or an ISO 8601 duration of weeks,
 * days, hours, minutes and seconds (`PT10M`, `P1DT2H`, `PT1.5S`), the forms
 * the flow schema accepts. Days are 24 hours (no calendar arithmetic).
 */
const pattern = /^P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/

const unitMs = [7 * 86_400_000, 86_400_000, 3_600_000, 60_000, 1000]

export function durationMs(value: string | number): number {
  if (typeof value === 'number') return value
  const match = pattern.exec(value)
  if (!match)
    throw new Error(
      `"${value}" is not an ISO 8601 duration of weeks, days, hours, minutes and seconds`,
    )
  let total = 0
  unitMs.forEach((ms, i) => {
    const part = match[i + 1]
    if (part !== undefined) total += Number(part) * ms
  })
  return Math.round(total)
}
