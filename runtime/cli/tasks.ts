/**
 * `weir task list` and `weir task show`: published tasks with what they may
 * do beyond computing (their capabilities), so a grant is seen wherever a task
 * is read.
 */
import type { ApiClient } from './client.js'
import { printJson, printTable } from './output.js'

export interface TaskCapabilities {
  readonly http?: { readonly allow: readonly string[] }
}

interface TaskAnswer {
  readonly name: string
  readonly version: number
  readonly signature: string
  readonly createdAt: string
  readonly capabilities: TaskCapabilities
  readonly publishedBy: string | null
  readonly document: {
    readonly description?: string
    readonly input?: object
    readonly output?: object
    readonly mode?: string
    readonly timeoutMs?: number
  }
}

/** A task's grants in one line: `http: https://a, https://b`, or `sealed`. */
export function describeCapabilities(capabilities: TaskCapabilities | undefined): string {
  const http = capabilities?.http
  return http ? `http: ${http.allow.join(', ')}` : 'sealed'
}

export async function taskListCommand(client: ApiClient, json: boolean | undefined) {
  const { items } = await client.get<{ items: TaskAnswer[] }>('/v1/tasks')
  if (json) printJson({ items })
  else
    printTable(
      ['name', 'version', 'created', 'capabilities', 'description'],
      items.map((t) => [
        t.name,
        t.version,
        t.createdAt,
        describeCapabilities(t.capabilities),
        t.document.description,
      ]),
    )
  return 0
}

export async function taskShowCommand(
  client: ApiClient,
  name: string,
  options: { version?: string | undefined; json?: boolean | undefined },
) {
  const path =
    options.version === undefined
      ? `/v1/tasks/${encodeURIComponent(name)}`
      : `/v1/tasks/${encodeURIComponent(name)}/versions/${encodeURIComponent(options.version)}`
  const task = await client.get<TaskAnswer>(path)
  if (options.json) {
    printJson(task)
    return 0
  }
  const lines = [
    `${task.name}@${task.version}${task.document.description ? ` — ${task.document.description}` : ''}`,
    `signature:    ${task.signature}`,
    `mode:         ${task.document.mode ?? 'sync'}, timeout ${task.document.timeoutMs ?? 30_000} ms`,
    `capabilities: ${describeCapabilities(task.capabilities)}`,
    `published by: ${task.publishedBy ?? '-'} at ${task.createdAt}`,
    `input:        ${JSON.stringify(task.document.input ?? {})}`,
    `output:       ${JSON.stringify(task.document.output ?? {})}`,
  ]
  console.log(lines.join('\n'))
  return 0
}
