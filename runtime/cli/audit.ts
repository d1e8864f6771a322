/**
 * `weir audit`: the audit log of mutating API calls (needs an admin key),
 * newest first, as a table or JSON, with the command for the next page.
 */
import type { Command } from 'commander'
import type { ApiClient } from './client.js'
import type { GlobalOptions } from './connect.js'
import { printJson, printTable } from './output.js'
import { shellWord } from './runs.js'

export interface AuditOptions {
  readonly action?: string
  readonly key?: string
  readonly target?: string
  readonly outcome?: string
  readonly from?: string
  readonly to?: string
  readonly limit?: string
  readonly cursor?: string
  readonly json?: boolean
}

/** An entry as `GET /v1/audit` answers it. */
interface AuditAnswer {
  readonly id: string
  readonly at: string
  readonly keyId: string | null
  readonly keyName: string | null
  readonly role: string | null
  readonly action: string
  readonly target: string | null
  readonly outcome: string
  readonly status: number
  readonly node: string
  readonly details: Readonly<Record<string, unknown>> | null
}

/** The filters of `weir audit`, as they are query parameters and options. */
const auditFilters = ['action', 'key', 'target', 'outcome', 'from', 'to', 'limit'] as const

/** The command for the next page: the same filters and page size, and the cursor. */
export function nextAuditPage(options: AuditOptions, cursor: string): string {
  const words = ['weir', 'audit']
  for (const name of auditFilters) {
    const value = options[name]
    if (value !== undefined) words.push(`--${name}`, shellWord(value))
  }
  words.push('--cursor', shellWord(cursor))
  return words.join(' ')
}

/** Who made a call, as a table shows it: the key's name and id, or `-` (a callback, a 401). */
const caller = (entry: AuditAnswer) =>
  entry.keyId === null ? null : `${entry.keyName ?? '?'} (${entry.keyId})`

export async function auditCommand(client: ApiClient, options: AuditOptions): Promise<number> {
  // Only the filters: the global options (--url, --token…) are not query parameters.
  const query: Record<string, string | undefined> = { cursor: options.cursor }
  for (const name of auditFilters) query[name] = options[name]
  const page = await client.get<{ items: AuditAnswer[]; nextCursor: string | null }>(
    '/v1/audit',
    query,
  )
  if (options.json) {
    printJson(page)
    return 0
  }
  printTable(
    ['at', 'key', 'role', 'action', 'target', 'outcome', 'status', 'node'],
    page.items.map((e) => [
      e.at,
      caller(e),
      e.role,
      e.action,
      e.target,
      e.outcome,
      e.status,
      e.node,
    ]),
  )
  if (page.nextCursor) console.log(`more: ${nextAuditPage(options, page.nextCursor)}`)
  return 0
}

/** program.ts's way of running a command against the server (its exit code the result). */
export type Remote = <O>(
  body: (client: ApiClient, options: O & GlobalOptions, ...args: string[]) => Promise<number>,
) => (...received: unknown[]) => Promise<void>

export function addAudit(program: Command, remote: Remote): void {
  program
    .command('audit')
    .description('The audit log of mutating API calls, newest first (needs an admin key)')
    .option('--action <action>', 'only this action (run.start, secret.set…)')
    .option('--key <id>', 'only calls made with this API key (its id)')
    .option('--target <target>', 'only calls on this target (run:<id>, flow:<name>@<version>…)')
    .option('--outcome <outcome>', 'only this outcome (ok, or an error code such as forbidden)')
    .option('--from <time>', 'at or after (ISO 8601)')
    .option('--to <time>', 'at or before (ISO 8601)')
    .option('--limit <n>', 'page size (default 50, at most 500)')
    .option('--cursor <cursor>', 'the next page, as the previous one said')
    .action(remote<AuditOptions>((client, options) => auditCommand(client, options)))
}
