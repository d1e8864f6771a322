/**
 * Flow references in `flow` steps: `name` (the latest version, pinned on
 * publish) or `name@version`, resolved to what the checker needs of the
 * child flow: its input schema, its output schema (computed when it was
 * published), and how deep its own sub-flows nest.
 */
import { didYouMean } from '../did-you-mean.js'
import type { Problem } from '../errors.js'
import type { ValueSchema } from '../generated/value-schema.js'
import { parseTaskRef } from './task-refs.js'

/** A published flow version as a `flow` step sees it. */
export interface ResolvedFlow {
  readonly name: string
  readonly version: number
  /** The schema of its input; undefined: every JSON value. */
  readonly input: ValueSchema | undefined
  /** The schema of its output, as computed when it was published. */
  readonly output: ValueSchema
  /** How many levels of child runs a run of it can start below itself (0: no `flow` step). */
  readonly nesting: number
}

/** Looks a flow up: the given version, or the latest when `version` is undefined. */
export interface FlowResolver {
  (name: string, version?: number): ResolvedFlow | undefined
  readonly names?: () => Iterable<string>
}

/** The default bound on nesting: a run, its children, theirs… at most 10 levels below a root run. */
export const defaultMaxNesting = 10

export const parseFlowRef = parseTaskRef

export function resolveFlowRef(
  ref: string,
  resolver: FlowResolver | undefined,
  at: string,
): { flow: ResolvedFlow } | { problem: Problem } {
  const { name, version } = parseFlowRef(ref)
  const flow = resolver?.(name, version)
  if (flow) return { flow }
  const latest = version === undefined ? undefined : resolver?.(name)
  const message = latest
    ? `flow "${name}" has no version ${version} (latest is ${latest.version})`
    : `unknown flow "${name}": no flow of that name is published${didYouMean(name, resolver?.names?.() ?? [])}`
  return { problem: { pointer: at, code: 'unknown_flow', message } }
}
