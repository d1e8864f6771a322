/**
 * Everything checked when a task is published against its component: the
 * bytes decode as a component, its imports are ones the sandbox provides, the
 * named export exists, and its WIT signature matches the declared schemas.
 * Returns the task with its schemas filled in and the function binding the
 * executor needs, or every problem found.
 */
import type { Problem, TaskDocument } from '../../types/index.js'
import { InvalidComponentError } from '../errors.js'
import { checkCapabilities } from './capability-check.js'
import { sha256Hex } from './component-cache.js'
import { type DecodedComponent, decodeComponent } from './decode-component.js'
import { checkImports } from './imports-policy.js'
import { checkSignature, type FunctionBinding } from './signature.js'

export type TaskComponentCheck =
  | {
      readonly ok: true
      /** The task with `component` set and derived schemas filled in where none were declared. */
      readonly task: TaskDocument & { component: string }
      readonly binding: FunctionBinding
      readonly decoded: DecodedComponent
      readonly warnings: Problem[]
    }
  | { readonly ok: false; readonly problems: Problem[]; readonly warnings: Problem[] }

/**
 * The task as its component sees it: an async task's component returns the
 * request it sends out (`sends`), so that is its output; `output` is the callback's.
 */
export function componentView(task: TaskDocument): TaskDocument {
  if (task.mode !== 'async') return task
  const { output: _callbackOutput, ...rest } = task
  return task.sends === undefined ? rest : { ...rest, output: task.sends }
}

export function checkTaskComponent(task: TaskDocument, bytes: Uint8Array): TaskComponentCheck {
  const sha = `sha256:${sha256Hex(bytes)}`
  if (task.component !== undefined && task.component !== sha) {
    const message = `the task names component ${task.component} but the bytes given are ${sha}`
    return {
      ok: false,
      problems: [{ pointer: '/component', code: 'type_mismatch', message }],
      warnings: [],
    }
  }
  let decoded: DecodedComponent
  try {
    decoded = decodeComponent(bytes)
  } catch (error) {
    if (!(error instanceof InvalidComponentError)) throw error
    return {
      ok: false,
      problems: [{ pointer: '/component', code: 'invalid_schema', message: error.message }],
      warnings: [],
    }
  }
  const problems = checkImports(decoded.imports)
  const capabilities = checkCapabilities(task, decoded.imports)
  problems.push(...capabilities.problems)
  const name = task.export ?? 'run'
  const exported = decoded.exports.find((e) => e.name === name)
  if (!exported) {
    const names = decoded.exports.map((e) => e.name).join(', ') || 'none'
    problems.push({
      pointer: '/export',
      code: 'type_mismatch',
      message: `the component exports no function "${name}" (it exports: ${names})`,
    })
    return { ok: false, problems, warnings: [] }
  }
  const asyncTask = task.mode === 'async'
  const signature = checkSignature(componentView(task), exported)
  // What the signature check says of `output` is said of `sends` for an async task.
  const sendsPointer = (p: Problem): Problem =>
    asyncTask && /^\/output(\/|$)/.test(p.pointer)
      ? { ...p, pointer: p.pointer.replace('/output', '/sends') }
      : p
  if (!signature.ok)
    return {
      ok: false,
      problems: [...problems, ...signature.problems.map(sendsPointer)],
      warnings: signature.warnings.map(sendsPointer),
    }
  if (problems.length > 0) return { ok: false, problems, warnings: signature.warnings }
  const { input, output, error } = signature.schemas
  const schemas = asyncTask
    ? { input, sends: output, error, ...(task.output === undefined ? {} : { output: task.output }) }
    : { input, output, error }
  return {
    ok: true,
    task: { ...task, component: sha, export: name, ...schemas },
    binding: signature.binding,
    decoded,
    warnings: [...signature.warnings, ...capabilities.warnings],
  }
}
