/** `weir run` and `weir runs list|show|events|cancel|terminate|pause|resume|retry`. */
import { readFile } from 'node:fs/promises'
import type { RunResource } from '../http/resources.js'
import type { ApiClient } from './client.js'
import { printJson, printTable } from './output.js'

interface Page<T> {
  readonly items: T[]
  readonly nextCursor: string | null
}

interface StepRun {
  readonly stepId: string
  readonly status: string
  readonly task: { name: string; version: number } | null
  readonly startedAt: string | null
  readonly finishedAt: string | null
  readonly attempts: readonly { number: number; log: string }[]
  /** token and url are null unless the key is an admin or operator key. */
  readonly callback?: { token: string | null; url: string | null }
}

interface RunEvent {
  readonly seq: number
  readonly type: string
  readonly at: string
  readonly stepId?: string
  readonly data: unknown
}

const failedStatuses = new Set(['failed', 'cancelled', 'terminated', 'timed_out'])

/** `--input` is JSON text, or `@file` for a file holding it. */
async function parseInput(text: string | undefined): Promise<unknown> {
  if (text === undefined) return {}
  const source = text.startsWith('@') ? await readFile(text.slice(1), 'utf8') : text
  try {
    return JSON.parse(source)
  } catch (error) {
    throw new Error(`--input is not valid JSON: ${(error as Error).message}`)
  }
}

const ms = (from: string | null, to: string | null) =>
  from && to ? `${Date.parse(to) - Date.parse(from)} ms` : '-'

function printRun(run: RunResource): void {
  console.log(`run ${run.id}  ${run.flow.name}@${run.flow.version}  ${run.status}`)
  console.log(
    `  created ${run.createdAt}  finished ${run.finishedAt ?? '-'}  (${ms(run.startedAt, run.finishedAt)})`,
  )
  if (run.currentStep && !run.finishedAt) console.log(`  current step: ${run.currentStep}`)
  if (run.error) {
    const e = run.error
    console.log(
      `  error: step ${e.step} (${e.task}), ${e.kind}, attempt ${e.attempt}: ${e.message}`,
    )
  }
  if (run.status === 'completed') console.log(`  output: ${JSON.stringify(run.output)}`)
}

export interface RunOptions {
  readonly input?: string
  readonly wait?: string | boolean
  readonly version?: string
  readonly idempotencyKey?: string
  readonly json?: boolean
}

export async function runCommand(
  client: ApiClient,
  flow: string,
  options: RunOptions,
): Promise<number> {
  const wait =
    options.wait === true
      ? 30_000
      : options.wait === undefined || options.wait === false
        ? undefined
        : Number(options.wait)
  const answer = await client.request<RunResource>(
    'POST',
    `/v1/flows/${encodeURIComponent(flow)}/runs`,
    {
      json: await parseInput(options.input),
      query: { wait, version: options.version },
      ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
    },
  )
  const run = answer.body
  if (options.json) printJson(run)
  else {
    printRun(run)
    if (answer.status === 202)
      console.log(`  still ${run.status} after ${wait} ms; see: weir runs show ${run.id}`)
  }
  return failedStatuses.has(run.status) ? 1 : 0
}

export interface ListOptions {
  readonly flow?: string
  readonly process?: string
  readonly status?: string
  readonly from?: string
  readonly to?: string
  readonly limit?: string
  readonly cursor?: string
  readonly json?: boolean
}

export async function runsListCommand(client: ApiClient, options: ListOptions): Promise<number> {
  const { json, ...query } = options
  const page = await client.get<Page<RunResource>>('/v1/runs', query)
  if (json) printJson(page)
  else {
    printTable(
      ['id', 'flow', 'status', 'created', 'step'],
      page.items.map((r) => [
        r.id,
        `${r.flow.name}@${r.flow.version}`,
        r.status,
        r.createdAt,
        r.currentStep,
      ]),
    )
    if (page.nextCursor) console.log(`more: weir runs list --cursor ${page.nextCursor}`)
  }
  return 0
}

export async function runsShowCommand(
  client: ApiClient,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const run = await client.get<RunResource>(`/v1/runs/${id}`)
  const steps = await client.get<Page<StepRun>>(`/v1/runs/${id}/steps`)
  if (options.json) {
    printJson({ ...run, steps: steps.items })
    return 0
  }
  printRun(run)
  console.log('')
  printTable(
    ['step', 'status', 'task', 'attempts', 'time'],
    steps.items.map((s) => [
      s.stepId,
      s.status,
      s.task ? `${s.task.name}@${s.task.version}` : null,
      s.attempts.length,
      ms(s.startedAt, s.finishedAt),
    ]),
  )
  for (const step of steps.items) {
    for (const attempt of step.attempts) {
      if (attempt.log)
        console.log(`\nlog of ${step.stepId} attempt ${attempt.number}:\n${attempt.log.trimEnd()}`)
    }
    if (step.callback && step.status === 'waiting')
      console.log(
        step.callback.url === null
          ? `\n${step.stepId} waits for its callback (its URL is shown to admin and operator keys only)`
          : `\n${step.stepId} waits for its callback: POST ${step.callback.url}`,
      )
  }
  return 0
}

export async function runsEventsCommand(
  client: ApiClient,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const events: RunEvent[] = []
  let cursor: string | undefined
  do {
    const page = await client.get<Page<RunEvent>>(`/v1/runs/${id}/events`, { cursor })
    events.push(...page.items)
    cursor = page.nextCursor ?? undefined
  } while (cursor)
  if (options.json) printJson({ items: events })
  else
    printTable(
      ['seq', 'at', 'type', 'step', 'data'],
      events.map((e) => [e.seq, e.at, e.type, e.stepId, JSON.stringify(e.data)]),
    )
  return 0
}

export async function runOperationCommand(
  client: ApiClient,
  operation: string,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  const run = await client.post<RunResource>(`/v1/runs/${id}/${operation}`)
  if (options.json) printJson(run)
  else printRun(run)
  return 0
}
