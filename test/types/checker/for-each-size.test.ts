/**
 * The check-time warning of a for-each step whose aggregated output the
 * schemas let pass the stored-value limit: the list's length (its schema's
 * maxItems, the flow's limits.maxItems, else 10,000) times the largest
 * output the call's schema allows.
 */
import { describe, expect, test } from 'vitest'
import {
  checkFlow,
  defaultEvaluationLimits,
  type ResolvedTask,
  type TaskResolver,
} from '../../../types/index.js'

const tasks: ResolvedTask[] = [
  {
    name: 'count',
    version: 1,
    input: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    output: { type: 'integer', minimum: 0, maximum: 1000 },
  },
  {
    name: 'describe',
    version: 1,
    input: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    output: { type: 'object', properties: { text: { type: 'string' } } },
  },
]
const resolve: TaskResolver = (name, version) =>
  tasks.find((t) => t.name === name && (version === undefined || t.version === version))

const list = (maxItems?: number) => ({
  type: 'array',
  items: { type: 'integer' },
  ...(maxItems === undefined ? {} : { maxItems }),
})

function warnings(task: string, options: { maxItems?: number; flowMax?: number } = {}) {
  const doc = {
    name: 'f',
    input: { type: 'object', required: ['ns'], properties: { ns: list(options.maxItems) } },
    steps: [{ id: 'e', forEach: '${input.ns}', task, input: { n: '${item}' } }],
    ...(options.flowMax === undefined ? {} : { limits: { maxItems: options.flowMax } }),
  }
  const limits = { ...defaultEvaluationLimits, value: { maxDepth: 64, maxBytes: 1000 } }
  const result = checkFlow(doc, resolve, { limits })
  expect(result.ok).toBe(true)
  return result.warnings.filter((w) => w.code === 'output_may_exceed_limit')
}

describe('a forEach output that may pass the stored-value limit', () => {
  test('an unbounded output is warned of, with the list length', () => {
    expect(warnings('describe', { maxItems: 3 })).toEqual([
      {
        pointer: '/steps/0',
        code: 'output_may_exceed_limit',
        message:
          'the output of forEach step "e" may pass the stored-value limit of 1000 bytes: up to 3 items whose size the output schema of task describe@1 does not bound (a string without maxLength, an array without maxItems, or an object open to more properties); the step fails with limit_exceeded when it does',
      },
    ])
  })

  test('a bounded output is warned of when the list may be long enough', () => {
    expect(warnings('count').map((w) => w.message)).toEqual([
      'the output of forEach step "e" may pass the stored-value limit of 1000 bytes: up to 10000 items of up to 24 bytes each; the step fails with limit_exceeded when it does',
    ])
    expect(warnings('count', { flowMax: 100 }).map((w) => w.message)).toEqual([
      expect.stringContaining('up to 100 items of up to 24 bytes each'),
    ])
  })

  test('no warning when the list and the output are both small enough', () => {
    expect(warnings('count', { maxItems: 30 })).toEqual([])
    expect(warnings('count', { maxItems: 300, flowMax: 30 })).toEqual([])
  })
})
