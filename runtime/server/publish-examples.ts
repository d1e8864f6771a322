/**
 * Publishes a folder's example tasks (`tasks/<name>/`, JavaScript ones built
 * first when they changed, as many at once as there are cores) and flows
 * (`flows/*.json`) through the catalog, saying each as it is ready.
 * Idempotent: what is already the latest version is left as it is.
 */
import { readdir, readFile } from 'node:fs/promises'
import { availableParallelism } from 'node:os'
import { basename, join } from 'node:path'
import type { Catalog } from '../catalog/catalog.js'
import { loadTaskPackage, taskFoldersIn } from '../components/task-package.js'
import { eachConcurrently, type ProgressOutput, withProgress } from '../progress.js'

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
  out: ProgressOutput = process.stderr,
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
  // Tasks are built at once, as many as there are cores (componentize-js keeps one busy),
  // each said as it is ready; flows, which may name them, after.
  const building = new Set<string>()
  const tasks = eachConcurrently(taskDirs, availableParallelism(), async (dir) => {
    building.add(basename(dir))
    const started = performance.now()
    try {
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
    } finally {
      building.delete(basename(dir))
    }
  })
  await withProgress(() => `building ${[...building].join(', ')}`, tasks, out)
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
