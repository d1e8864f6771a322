/**
 * Schemas of the values every expression can see besides the flow input and
 * the step outputs: a step's error and the run's identity.
 */
import type { ValueSchema } from '../schema/rooted.js'

export const errorKinds = [
  'task_error',
  'trap',
  'timeout',
  'input_invalid',
  'output_invalid',
  'limit_exceeded',
  'cancelled',
  'child_failed',
  'internal',
] as const

export type ErrorKind = (typeof errorKinds)[number]

/** `steps.<id>.error`: why a step failed (stored as the run's `error` when nothing routes it). */
export const stepErrorSchema: ValueSchema = {
  type: 'object',
  required: ['step', 'task', 'kind', 'message', 'attempt'],
  properties: {
    step: { type: 'string' },
    task: { type: 'string' },
    kind: { enum: [...errorKinds] },
    message: { type: 'string' },
    code: { type: 'string' },
    details: {},
    attempt: { type: 'integer', minimum: 1, maximum: 2147483647 },
  },
}

/** `run`: the run an expression is evaluated in. */
export const runInfoSchema: ValueSchema = {
  type: 'object',
  required: ['id', 'flow', 'version', 'attempt'],
  properties: {
    id: { type: 'string' },
    flow: { type: 'string' },
    version: { type: 'integer', minimum: 1, maximum: 2147483647 },
    attempt: { type: 'integer', minimum: 1, maximum: 2147483647 },
  },
}
