/**
 * What publishing a task folder needs: its task document and its component
 * bytes. A JavaScript folder (`src/index.js`) is built first when it changed;
 * any other folder brings its component as `dist/<name>.wasm` or `<name>.wasm`.
 */
import { readdir, readFile, stat } from 'node:fs/promises'
import { basename, dirname, join } from 'node:path'
import type { TaskDocument } from '../../types/index.js'
import { WeirError } from '../errors.js'
import { buildTask, readTaskFolder } from './build-task.js'

export interface TaskPackage {
  readonly dir: string
  readonly document: TaskDocument
  readonly bytes: Uint8Array
  /** Whether a build ran (false: the component was up to date or not built from JS). */
  readonly built: boolean
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  )

/** A task folder, or the folder of a `task.json` path. */
export async function taskFolderOf(path: string): Promise<string> {
  const info = await stat(path).catch(() => undefined)
  if (!info) throw new WeirError('not_found', `${path} does not exist`)
  return info.isDirectory() ? path : basename(path) === 'task.json' ? dirname(path) : path
}

export async function loadTaskPackage(path: string): Promise<TaskPackage> {
  const dir = await taskFolderOf(path)
  if (await exists(join(dir, 'src', 'index.js'))) {
    const built = await buildTask(dir, { ifChanged: true })
    return { dir, document: built.task, bytes: built.bytes, built: !built.reused }
  }
  const document = await readTaskFolder(dir)
  for (const candidate of [
    join(dir, 'dist', `${document.name}.wasm`),
    join(dir, `${document.name}.wasm`),
  ]) {
    const bytes = await readFile(candidate).catch(() => undefined)
    if (bytes) return { dir, document, bytes: new Uint8Array(bytes), built: false }
  }
  throw new WeirError(
    'not_found',
    `${dir} has no component: expected src/index.js to build, or dist/${document.name}.wasm`,
  )
}

/** The task folders directly inside `dir` (those holding a task.json), sorted by name. */
export async function taskFoldersIn(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true })
  const folders: string[] = []
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.isDirectory() && (await exists(join(dir, entry.name, 'task.json'))))
      folders.push(join(dir, entry.name))
  }
  return folders
}
