/**
 * Publishes a folder's example tasks (`tasks/<name>/`, JavaScript ones built
 * first when they changed) and flows (`flows/*.json`) through the catalog.
 * Idempotent: what is already the latest version is left as it is.
 */
import { readdir, readFile } from 'node:fs/promises'
import { basename, join } from 'node:path'
import type { Catalog } from '../catalog/catalog.js'
import { loadTaskPackage, taskFoldersIn } from '../components/task-package.js'

export interface PublishedExamples {
  readonly tasks: number
  readonly flows: number
  /** How many of them were new versions. */
  readonly created: number
}

export async function publishExamples(
  catalog: Catalog,
  root: string,
  progress: (line: string) => void = () => {},
): Promise<PublishedExamples> {
  const taskDirs = await taskFoldersIn(join(root, 'tasks')).catch(() => [])
  const flowFiles = (await readdir(join(root, 'flows')).catch(() => []))
    .filter((f) => f.endsWith('.json'))
    .sort()
  const total = taskDirs.length + flowFiles.length
  let done = 0
  let created = 0
  const step = (what: string, outcome: string) =>
    progress(`[${++done}/${total}] ${what}: ${outcome}`)
  for (const dir of taskDirs) {
    const started = performance.now()
    const pkg = await loadTaskPackage(dir)
    const result = await catalog.publishTask(pkg.document, pkg.bytes)
    if (result.created) created++
    const build = pkg.built
      ? `built in ${((performance.now() - started) / 1000).toFixed(1)} s, `
      : ''
    step(
      `task ${result.record.name}`,
      `${build}${result.created ? 'published' : 'unchanged'} v${result.record.version}`,
    )
  }
  for (const file of flowFiles) {
    const document: unknown = JSON.parse(await readFile(join(root, 'flows', file), 'utf8'))
    const result = await catalog.publishFlow(document)
    if (result.created) created++
    step(
      `flow ${basename(file, '.json')}`,
      `${result.created ? 'published' : 'unchanged'} v${result.record.version}`,
    )
  }
  return { tasks: taskDirs.length, flows: flowFiles.length, created }
}
