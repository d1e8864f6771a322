/**
 * `weir flow show`, `weir events send` and `weir schedules create`: a flow
 * version's document at a glance, an event delivered to a waiting run, and a
 * cron schedule made from the command line.
 */
import type { ApiClient } from './client.js'
import { printJson } from './output.js'
import { parseInput } from './runs.js'

interface FlowAnswer {
  readonly name: string
  readonly version: number
  readonly process: string
  readonly createdAt: string
  readonly document: {
    readonly description?: string
    readonly steps: readonly Record<string, unknown>[]
  }
}

/** What a step does, in a few words: its task, flow, wait or sleep. */
function stepKind(step: Record<string, unknown>): string {
  if (typeof step.task === 'string') return `task ${step.task}`
  if (typeof step.waitFor === 'string') return `waits for event ${step.waitFor}`
  if (step.sleep !== undefined) return `sleeps ${String(step.sleep)}`
  return 'step'
}

export async function flowShowCommand(
  client: ApiClient,
  name: string,
  options: { version?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const base = `/v1/flows/${encodeURIComponent(name)}`
  const path =
    options.version === undefined ? base : `${base}/versions/${encodeURIComponent(options.version)}`
  const flow = await client.get<FlowAnswer>(path)
  if (options.json) {
    printJson(flow)
    return 0
  }
  const { description, steps } = flow.document
  console.log(
    [
      `${flow.name}@${flow.version}${description ? ` — ${description}` : ''}`,
      `process:      ${flow.process}`,
      `published at: ${flow.createdAt}`,
      'steps:',
      ...steps.map((step) => `  ${String(step.id)}: ${stepKind(step)}`),
    ].join('\n'),
  )
  return 0
}

export async function eventsSendCommand(
  client: ApiClient,
  run: string,
  event: string,
  options: { data?: string | undefined; json?: boolean | undefined },
): Promise<number> {
  const data = await parseInput(options.data, '--data', null)
  const answer = await client.post<{ id: string; status: string; currentStep: string | null }>(
    `/v1/runs/${encodeURIComponent(run)}/events/${encodeURIComponent(event)}`,
    data,
  )
  if (options.json) printJson(answer)
  else console.log(`delivered ${event} to run ${answer.id}: ${answer.status}`)
  return 0
}

export async function schedulesCreateCommand(
  client: ApiClient,
  flow: string,
  options: {
    cron: string
    timezone?: string | undefined
    input?: string | undefined
    paused?: boolean | undefined
    json?: boolean | undefined
  },
): Promise<number> {
  const input = await parseInput(options.input)
  const created = await client.post<{ id: string; nextFireAt: string | null; paused: boolean }>(
    '/v1/schedules',
    {
      flow,
      cron: options.cron,
      ...(options.timezone === undefined ? {} : { timezone: options.timezone }),
      input,
      ...(options.paused ? { paused: true } : {}),
    },
  )
  if (options.json) printJson(created)
  else
    console.log(
      `created schedule ${created.id}${created.paused ? ' (paused)' : `; next ${created.nextFireAt}`}`,
    )
  return 0
}
