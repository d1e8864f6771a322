/**
 * `weir run` and `weir runs list|show|events|cancel|terminate|pause|resume|retry`.
 * `weir run --wait` exits 0 when the run completed, 1 when it failed, and
 * `stillGoingExit` (3) when the wait ended first, so a script can tell a slow
 * run from a finished one.
 */
import { readFile } from 'node:fs/promises'
import type { RunResource } from '../http/resources.js'
import type { ApiClient } from './client.js'
import { printJson, printTable } from './output.js'
import { parseJson } from './read-json.js'
import { UsageError } from './usage-error.js'

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
  /** A compensation's step run: the step run it undoes. */
  readonly compensates?: number
}

/** How a step run is named in a table: a compensation says which step run it undoes. */
const stepName = (s: StepRun): string =>
  s.compensates === undefined ? s.stepId : `${s.stepId} (undo #${s.compensates})`

interface RunEvent {
  readonly seq: number
  readonly type: string
  readonly at: string
  readonly stepId?: string
  readonly data: unknown
}

const failedStatuses = new Set(['failed', 'cancelled', 'terminated', 'timed_out'])

/** The exit code of `weir run --wait` when the wait ended before the run did. */
export const stillGoingExit = 3

/**
 * `--input` (or another option) is JSON text, or `@file` for a file holding
 * it. Either way a bad value is a usage error (exit 2) that says where the
 * JSON breaks.
 */
export async function parseInput(
  text: string | undefined,
  option = '--input',
  absent: unknown = {},
): Promise<unknown> {
  if (text === undefined) return absent
  if (!text.startsWith('@')) {
    try {
      return parseJson(text, option)
    } catch (error) {
      throw new UsageError((error as Error).message)
    }
  }
  const file = text.slice(1)
  let source: string
  try {
    source = await readFile(file, 'utf8')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
    throw new UsageError(`${option} ${text}: cannot read ${file} (${code})`)
  }
  try {
    return parseJson(source, file)
  } catch (error) {
    throw new UsageError(`${option} ${text}: ${(error as Error).message}`)
  }
}

/** A command-line word as a POSIX shell reads it back: quoted when it has to be. */
export function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
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
  if (run.compensation) console.log(`  compensation: ${run.compensation}`)
  if (run.status === 'completed') console.log(`  output: ${JSON.stringify(run.output)}`)
}

export interface RunOptions {
  readonly input?: string
  readonly wait?: string | boolean
  readonly version?: string
  readonly idempotencyKey?: string
  readonly json?: boolean
}

/** A start the flow's http trigger guard refused (no run started). */
interface RefusedAnswer {
  readonly started: false
  readonly reason: string
  readonly code: string
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
  const answer = await client.request<(RunResource & { started: true }) | RefusedAnswer>(
    'POST',
    `/v1/flows/${encodeURIComponent(flow)}/runs`,
    {
      json: await parseInput(options.input),
      query: { wait, version: options.version },
      ...(options.idempotencyKey ? { headers: { 'idempotency-key': options.idempotencyKey } } : {}),
    },
  )
  if (answer.body.started === false) {
    const refused = answer.body
    if (options.json) printJson(refused)
    else console.log(`start refused (${refused.code}): ${refused.reason}`)
    return 1
  }
  const run = answer.body
  const stillGoing = answer.status === 202
  const note = `still ${run.status} after ${wait} ms; see: weir runs show ${run.id}`
  if (options.json) {
    printJson(run)
    // stdout stays one JSON document; the note goes beside it.
    if (stillGoing) console.error(`weir: run ${run.id} is ${note}`)
  } else {
    printRun(run)
    if (stillGoing) console.log(`  ${note}`)
  }
  if (stillGoing) return stillGoingExit
  return failedStatuses.has(run.status) ? 1 : 0
}

export interface ListOptions {
  readonly flow?: string
  readonly process?: string
  readonly status?: string
  readonly parent?: string
  readonly from?: string
  readonly to?: string
  readonly limit?: string
  readonly cursor?: string
  readonly json?: boolean
}

/** The filters of `weir runs list`, as they are query parameters and options. */
const listFilters = ['flow', 'process', 'status', 'parent', 'from', 'to', 'limit'] as const

/**
 * The command for the next page: the same filters and page size, and the
 * cursor (a cursor is only good with the filters it was made under).
 */
export function nextPageCommand(options: ListOptions, cursor: string): string {
  const words = ['weir', 'runs', 'list']
  for (const name of listFilters) {
    const value = options[name]
    if (value !== undefined) words.push(`--${name}`, shellWord(value))
  }
  words.push('--cursor', shellWord(cursor))
  return words.join(' ')
}

export async function runsListCommand(client: ApiClient, options: ListOptions): Promise<number> {
  const { json } = options
  // Only the filters: the global options (--url, --token…) are not query parameters.
  const query: Record<string, string | undefined> = { cursor: options.cursor }
  for (const name of listFilters) query[name] = options[name]
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
    if (page.nextCursor) console.log(`more: ${nextPageCommand(options, page.nextCursor)}`)
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
      stepName(s),
      s.status,
      s.task ? `${s.task.name}@${s.task.version}` : null,
      s.attempts.length,
      ms(s.startedAt, s.finishedAt),
    ]),
  )
  for (const step of steps.items) {
    for (const attempt of step.attempts) {
      if (attempt.log)
        console.log(
          `\nlog of ${stepName(step)} attempt ${attempt.number}:\n${attempt.log.trimEnd()}`,
        )
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
