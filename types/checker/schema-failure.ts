/**
 * The check of a flow document that does not match the flow schema: the later
 * stages (graph, expressions, types) need a well-formed document, so they do
 * not run; task references still resolve where a step names one, and a
 * `checks_stopped` warning says that the other stages were skipped.
 */
import type { Problem } from '../errors.js'
import { pointer } from '../pointer.js'
import { resolveTaskRef, type TaskResolver } from './task-refs.js'

/** The failed check: the schema's problems, unknown task references, and the stop warning. */
export function schemaFailure(
  document: unknown,
  problems: readonly Problem[],
  resolveTask: TaskResolver,
): { readonly ok: false; readonly problems: Problem[]; readonly warnings: Problem[] } {
  const found = [...problems]
  const steps = isRecord(document) && Array.isArray(document.steps) ? document.steps : []
  steps.forEach((step: unknown, i) => {
    if (!isRecord(step) || typeof step.task !== 'string') return
    const at = pointer('/steps', i, 'task')
    if (found.some((p) => p.pointer === at)) return
    const resolved = resolveTaskRef(step.task, resolveTask, at)
    if ('problem' in resolved) found.push(resolved.problem)
  })
  const stopped: Problem = {
    pointer: '',
    code: 'checks_stopped',
    message:
      'the document does not match the flow schema, so the step graph, expressions and types were not checked (task names were); fix the problems above and check again',
  }
  return { ok: false, problems: found, warnings: [stopped] }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
