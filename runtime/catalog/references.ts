/**
 * The published tasks and flows a flow document refers to, as the checker
 * resolves them: each version a step names, and the latest of each name.
 */
import { parseFlowRef, type ResolvedFlow } from '../../types/index.js'
import type { CatalogStore, FlowComputed } from '../store/store.js'

/** The references a flow document's steps (their parallel branches and compensations too) make in `field` (task or flow), each once. */
export function referencesOf(document: unknown, field: 'task' | 'flow'): Set<string> {
  const steps = (document as { steps?: unknown })?.steps
  const refs = new Set<string>()
  if (!Array.isArray(steps)) return refs
  const add = (call: unknown) => {
    const ref = (call as Record<string, unknown> | null)?.[field]
    if (typeof ref === 'string') refs.add(ref)
  }
  for (const step of steps) {
    add(step)
    // A parallel step's branches call tasks and flows too.
    const branches = (step as { parallel?: unknown } | null)?.parallel
    if (branches !== null && typeof branches === 'object')
      for (const branch of Object.values(branches)) add(branch)
    add((step as { compensate?: unknown } | null)?.compensate)
  }
  return refs
}

/** Looks up a version among `known`, or the latest of a name when no version is given. */
export function latestOrVersion<T extends { name: string; version: number }>(known: readonly T[]) {
  return (name: string, version?: number): T | undefined => {
    const versions = known.filter((t) => t.name === name).sort((a, b) => b.version - a.version)
    return version === undefined ? versions[0] : versions.find((t) => t.version === version)
  }
}

/**
 * The flows a document's `flow` steps refer to, each with its output schema
 * and nesting (`computed` computes them for a version published before weir
 * stored them).
 */
export async function flowsFor(
  store: Pick<CatalogStore, 'getFlow'>,
  document: unknown,
  computed: (name: string, version: number) => Promise<FlowComputed | undefined>,
): Promise<ResolvedFlow[]> {
  const out: ResolvedFlow[] = []
  for (const ref of referencesOf(document, 'flow')) {
    const { name, version } = parseFlowRef(ref)
    const latest = await store.getFlow(name)
    if (!latest) continue
    const versions =
      version === undefined || version === latest.version
        ? [latest.version]
        : [latest.version, version]
    for (const v of versions) {
      const record = v === latest.version ? latest : await store.getFlow(name, v)
      const known = record && (await computed(name, v))
      if (!record || !known) continue
      out.push({
        name,
        version: v,
        input: record.document.input,
        output: known.outputSchema,
        nesting: known.nesting,
      })
    }
  }
  return out
}
