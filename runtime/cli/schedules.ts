/** `weir schedules list|pause|resume`: cron schedules and their next fire times. */
import type { ApiClient } from './client.js'
import { printJson, printTable } from './output.js'

interface ScheduleAnswer {
  readonly id: string
  readonly flow: string
  readonly cron: string
  readonly timezone: string
  readonly paused: boolean
  readonly nextFireAt: string | null
  readonly lastFireAt: string | null
}

export async function schedulesListCommand(
  client: ApiClient,
  options: { flow?: string; json?: boolean },
): Promise<number> {
  const { items } = await client.get<{ items: ScheduleAnswer[] }>('/v1/schedules', {
    flow: options.flow,
  })
  if (options.json) printJson({ items })
  else
    printTable(
      ['id', 'flow', 'cron', 'zone', 'state', 'next', 'last'],
      items.map((s) => [
        s.id,
        s.flow,
        s.cron,
        s.timezone,
        s.paused ? 'paused' : 'active',
        s.nextFireAt,
        s.lastFireAt,
      ]),
    )
  return 0
}

export async function schedulePauseCommand(
  client: ApiClient,
  id: string,
  paused: boolean,
  options: { json?: boolean },
): Promise<number> {
  const answer = await client.request<ScheduleAnswer>(
    'PUT',
    `/v1/schedules/${encodeURIComponent(id)}`,
    {
      json: { paused },
    },
  )
  const schedule = answer.body
  if (options.json) printJson(schedule)
  else
    console.log(
      `schedule ${schedule.id} is ${schedule.paused ? 'paused' : `active; next ${schedule.nextFireAt}`}`,
    )
  return 0
}
