/**
 * `weir secrets set|list|delete` (needs an admin key). A value is read from
 * standard input or a file, never from the command line, where shell history
 * and the process list would keep it.
 */
import { readFile } from 'node:fs/promises'
import type { ApiClient } from './client.js'
import { printJson, printTable } from './output.js'

interface SecretAnswer {
  readonly name: string
  readonly createdAt: string
  readonly updatedAt: string
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array))
  return Buffer.concat(chunks).toString('utf8')
}

/** The value: the file's content, else standard input; one trailing newline is dropped. */
async function readValue(file: string | undefined, stdin: () => Promise<string>): Promise<string> {
  const text = file === undefined ? await stdin() : await readFile(file, 'utf8')
  return text.replace(/\r?\n$/, '')
}

export async function secretsSetCommand(
  client: ApiClient,
  name: string,
  options: { file?: string | undefined; json?: boolean | undefined },
  stdin: () => Promise<string> = readStdin,
): Promise<number> {
  const value = await readValue(options.file, stdin)
  const { status, body } = await client.request<SecretAnswer>(
    'PUT',
    `/v1/secrets/${encodeURIComponent(name)}`,
    { json: { value } },
  )
  if (options.json) printJson(body)
  else console.log(`${status === 201 ? 'set' : 'replaced'} secret ${body.name}`)
  return 0
}

export async function secretsListCommand(client: ApiClient, options: { json?: boolean }) {
  const { items } = await client.get<{ items: SecretAnswer[] }>('/v1/secrets')
  if (options.json) printJson({ items })
  else
    printTable(
      ['name', 'created', 'updated'],
      items.map((s) => [s.name, s.createdAt, s.updatedAt]),
    )
  return 0
}

export async function secretsDeleteCommand(
  client: ApiClient,
  name: string,
  options: { json?: boolean },
): Promise<number> {
  await client.request('DELETE', `/v1/secrets/${encodeURIComponent(name)}`)
  if (options.json) printJson({ deleted: name })
  else console.log(`deleted secret ${name}`)
  return 0
}
