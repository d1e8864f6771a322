/**
 * What a step's box says: its kind and a few short lines (the id, what it
 * calls, what undoes it). The text is written as a reader of the flow document
 * would say it, not as the schema spells it (`for each`, `wait for`, `undo:`).
 */
import type { Branch, ForEachStep, Step } from '../../../types/index.js'
import type { StepKind } from './flow-layout.js'
import { maxBranchLines } from './graph-metrics.js'

/** The kind of a step; a forEach step names a task or flow too, so it is tested first. */
export function stepKind(step: Step): StepKind {
  if ('forEach' in step) return 'forEach'
  if ('parallel' in step) return 'parallel'
  if ('task' in step) return 'task'
  if ('flow' in step) return 'flow'
  if ('set' in step) return 'set'
  if ('fail' in step) return 'fail'
  if ('sleep' in step) return 'sleep'
  return 'waitFor'
}

/** A call as written in the document, `task name@v` or `flow name@v`. */
export function callText(call: Branch): string {
  return 'task' in call ? `task ${call.task}` : `flow ${call.flow}`
}

/** The full lines of a step's box, before they are shortened: the id first. */
export function stepLines(step: Step): string[] {
  const lines = [step.id, ...callLines(step)]
  if ('compensate' in step && step.compensate !== undefined) {
    lines.push(`undo: ${callText(step.compensate)}`)
  }
  return lines
}

function callLines(step: Step): string[] {
  if ('forEach' in step) return [`for each ${listExpression(step.forEach)} → ${forEachCall(step)}`]
  if ('parallel' in step) {
    const branches = Object.entries(step.parallel).flatMap(([name, call]) =>
      call === undefined ? [] : [`${name} → ${callText(call)}`],
    )
    if (branches.length <= maxBranchLines) return branches
    const shown = branches.slice(0, maxBranchLines - 1)
    return [...shown, `+${branches.length - shown.length} more branches`]
  }
  if ('task' in step) return [`task ${step.task}`]
  if ('flow' in step) return [`flow ${step.flow}`]
  if ('set' in step) return ['set']
  if ('fail' in step) return ['fail']
  if ('sleep' in step) {
    return [typeof step.sleep === 'number' ? `sleep ${step.sleep} ms` : `sleep ${step.sleep}`]
  }
  return [`wait for ${step.waitFor}`]
}

function forEachCall(step: ForEachStep): string {
  if (step.task !== undefined) return `task ${step.task}`
  if (step.flow !== undefined) return `flow ${step.flow}`
  return '?'
}

/** `${input.items}` reads better in a box as `input.items`; other templates stay as written. */
function listExpression(template: string): string {
  const whole = /^\$\{(.*)\}$/s.exec(template.trim())
  const inner = whole?.[1]
  return inner !== undefined && !inner.includes('${') ? inner.trim() : template
}
