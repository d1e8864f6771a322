/** `weir keys create|list|delete`: API keys (needs an admin key). */
import type { ApiClient } from './client.js'
import { printJson, printTable } from './output.js'

interface KeyAnswer {
  readonly id: string
  readonly name: string
  readonly role: string
  readonly createdAt: string
  readonly key?: string
}

export async function keysCreateCommand(
  client: ApiClient,
  options: { role: string; name?: string; json?: boolean },
): Promise<number> {
  const created = await client.post<KeyAnswer>('/v1/keys', {
    name: options.name ?? options.role,
    role: options.role,
  })
  if (options.json) printJson(created)
  else {
    console.log(
      `created ${created.role} key ${created.id} ("${created.name}"); it is shown only now:`,
    )
    console.log(created.key)
  }
  return 0
}

export async function keysListCommand(
  client: ApiClient,
  options: { json?: boolean },
): Promise<number> {
  const { items } = await client.get<{ items: KeyAnswer[] }>('/v1/keys')
  if (options.json) printJson({ items })
  else
    printTable(
      ['id', 'name', 'role', 'created'],
      items.map((k) => [k.id, k.name, k.role, k.createdAt]),
    )
  return 0
}

export async function keysDeleteCommand(
  client: ApiClient,
  id: string,
  options: { json?: boolean },
): Promise<number> {
  await client.request('DELETE', `/v1/keys/${id}`)
  if (options.json) printJson({ deleted: id })
  else console.log(`deleted key ${id}`)
  return 0
}
