/** `weir task publish`, `weir flow publish` and `weir flow check` against the server. */
import { stat } from 'node:fs/promises'
import { join } from 'node:path'
import { sha256Hex } from '../components/component-cache.js'
import { loadTaskPackage, taskFoldersIn } from '../components/task-package.js'
import type { ApiClient } from './client.js'
import { printJson } from './output.js'
import { readJsonFile } from './read-json.js'

interface Published {
  readonly created: boolean
  readonly warnings: readonly { pointer: string; message: string }[]
}

/** Task folders named on the command line: each a task folder, a task.json, or a folder of task folders. */
async function expandTaskPaths(paths: readonly string[]): Promise<string[]> {
  const out: string[] = []
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined)
    const isFolderOfTasks =
      info?.isDirectory() && !(await stat(join(path, 'task.json')).catch(() => undefined))
    if (isFolderOfTasks) out.push(...(await taskFoldersIn(path)))
    else out.push(path)
  }
  return out
}

export async function taskPublishCommand(
  client: ApiClient,
  paths: readonly string[],
  options: { json?: boolean },
): Promise<number> {
  const folders = await expandTaskPaths(paths)
  const results: unknown[] = []
  for (const [i, folder] of folders.entries()) {
    if (!options.json) process.stdout.write(`[${i + 1}/${folders.length}] ${folder} … `)
    const started = performance.now()
    const pkg = await loadTaskPackage(folder)
    const sha = sha256Hex(pkg.bytes)
    await client.request('PUT', `/v1/components/${sha}`, { bytes: pkg.bytes })
    const answer = await client.post<Published & { task: { name: string; version: number } }>(
      '/v1/tasks',
      {
        ...pkg.document,
        component: `sha256:${sha}`,
      },
    )
    results.push(answer)
    if (!options.json) {
      const build = pkg.built
        ? `built in ${((performance.now() - started) / 1000).toFixed(1)} s, `
        : ''
      const what = answer.created ? 'published' : 'unchanged'
      console.log(`${build}${what} ${answer.task.name} v${answer.task.version}`)
      for (const w of answer.warnings) console.log(`  warning ${w.pointer || '/'}: ${w.message}`)
    }
  }
  if (options.json) printJson(results)
  return 0
}

export async function flowPublishCommand(
  client: ApiClient,
  files: readonly string[],
  options: { json?: boolean },
): Promise<number> {
  const results: unknown[] = []
  for (const file of files) {
    const answer = await client.post<Published & { flow: { name: string; version: number } }>(
      '/v1/flows',
      await readJsonFile(file),
    )
    results.push(answer)
    if (!options.json) {
      console.log(
        `${file}: ${answer.created ? 'published' : 'unchanged'} ${answer.flow.name} v${answer.flow.version}`,
      )
      for (const w of answer.warnings) console.log(`  warning ${w.pointer || '/'}: ${w.message}`)
    }
  }
  if (options.json) printJson(results)
  return 0
}

interface CheckAnswer {
  readonly ok: boolean
  readonly problems: readonly { pointer: string; message: string }[]
  readonly warnings: readonly { pointer: string; message: string }[]
}

export async function flowCheckRemoteCommand(
  client: ApiClient,
  file: string,
  options: { json?: boolean },
): Promise<number> {
  const answer = await client.post<CheckAnswer>('/v1/flows/check', await readJsonFile(file))
  if (options.json) printJson(answer)
  else {
    for (const w of answer.warnings) console.log(`warning ${w.pointer || '/'}: ${w.message}`)
    if (answer.ok) console.log(`${file}: ok`)
    for (const p of answer.problems) console.log(`error ${p.pointer || '/'}: ${p.message}`)
  }
  return answer.ok ? 0 : 1
}
