/**
 * Reads task documents from a folder of task folders (`<dir>/<name>/task.json`)
 * for checking flows without a server; each is taken as version 1.
 */
import { readdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { type ResolvedTask, type TaskResolver, validateTaskDocument } from '../../types/index.js'

export async function loadTaskFolder(dir: string): Promise<ResolvedTask[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const tasks: ResolvedTask[] = []
  for (const entry of entries) {
    if (!entry.isDirectory()) continue
    const file = join(dir, entry.name, 'task.json')
    const text = await readFile(file, 'utf8').catch(() => undefined)
    if (text === undefined) continue
    const result = validateTaskDocument(JSON.parse(text))
    if (!result.ok) {
      const first = result.problems[0]
      throw new Error(`${file}: ${first?.pointer || '/'}: ${first?.message}`)
    }
    tasks.push({ ...result.value, version: result.value.version ?? 1 })
  }
  return tasks
}

export function resolverOf(tasks: readonly ResolvedTask[]): TaskResolver {
  const resolve = (name: string, version?: number) => {
    const versions = tasks.filter((t) => t.name === name).sort((a, b) => b.version - a.version)
    return version === undefined ? versions[0] : versions.find((t) => t.version === version)
  }
  return Object.assign(resolve, { names: () => tasks.map((t) => t.name) })
}
