/**
 * Task references in flows: `name` (the latest version, pinned on publish) or
 * `name@version`, and how the checker resolves them.
 */
import { didYouMean } from '../did-you-mean.js'
import type { Problem } from '../errors.js'
import type { TaskDocument } from '../generated/task.js'

/** A published task: a task document with its version. */
export type ResolvedTask = TaskDocument & { readonly version: number }

/**
 * Looks a task up: the given version, or the latest when `version` is
 * undefined. A resolver that can list the published task names (`names`) lets
 * an unknown name come with a did-you-mean hint.
 */
export interface TaskResolver {
  (name: string, version?: number): ResolvedTask | undefined
  readonly names?: () => Iterable<string>
}

export interface TaskRef {
  readonly name: string
  readonly version: number | undefined
}

export function parseTaskRef(ref: string): TaskRef {
  const at = ref.lastIndexOf('@')
  if (at < 0) return { name: ref, version: undefined }
  return { name: ref.slice(0, at), version: Number(ref.slice(at + 1)) }
}

export function formatTaskRef(task: { name: string; version: number }): string {
  return `${task.name}@${task.version}`
}

export function resolveTaskRef(
  ref: string,
  resolver: TaskResolver,
  at: string,
): { task: ResolvedTask } | { problem: Problem } {
  const { name, version } = parseTaskRef(ref)
  const task = resolver(name, version)
  if (task) return { task }
  const latest = version === undefined ? undefined : resolver(name)
  const message = latest
    ? `task "${name}" has no version ${version} (latest is ${latest.version})`
    : `unknown task "${name}": no task of that name is published${didYouMean(name, resolver.names?.() ?? [])}`
  return { problem: { pointer: at, code: 'unknown_task', message } }
}
