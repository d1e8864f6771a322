/**
 * Cron expressions of schedules and cron triggers: five fields (minute, hour,
 * day of month, month, day of week) in an IANA time zone (UTC by default),
 * parsed by croner. A bad expression or zone is a problem with a pointer.
 */
import { Cron } from 'croner'
import type { Problem } from '../../types/index.js'

export interface CronSchedule {
  /** The first fire time strictly after `after` (epoch ms), or undefined when there is none. */
  next(after: number): number | undefined
}

export function parseCron(
  expression: string,
  timezone: string | undefined,
  at: string,
): { ok: true; cron: CronSchedule } | { ok: false; problems: Problem[] } {
  const problems: Problem[] = []
  const fields = expression.trim().split(/\s+/)
  if (fields.length !== 5) {
    problems.push({
      pointer: `${at}/cron`,
      code: 'invalid_document',
      message: `expected five cron fields (minute hour day-of-month month day-of-week), found ${fields.length} in "${expression}"`,
    })
  }
  if (timezone !== undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: timezone })
    } catch {
      problems.push({
        pointer: `${at}/timezone`,
        code: 'invalid_document',
        message: `"${timezone}" is not an IANA time zone (e.g. "Europe/Berlin", "UTC")`,
      })
    }
  }
  if (problems.length > 0) return { ok: false, problems }
  let cron: Cron
  try {
    cron = new Cron(expression, { paused: true, timezone: timezone ?? 'UTC' })
  } catch (error) {
    const message = (error as Error).message.replace(/^CronPattern: /, '')
    return { ok: false, problems: [{ pointer: `${at}/cron`, code: 'invalid_document', message }] }
  }
  return {
    ok: true,
    cron: {
      next(after) {
        return cron.nextRun(new Date(after))?.getTime()
      },
    },
  }
}
