/**
 * Invalid flow documents caught by the document schema and the graph rules:
 * each case asserts the exact pointers and codes, and the key words of each message.
 */
import { describe, test } from 'vitest'
import { type Expected, expectProblems, flowOf } from './helpers.js'

const make = { id: 'a', task: 'make-order' }

const cases: [string, unknown, Expected[]][] = [
  [
    'missing name',
    { steps: [make] },
    [{ pointer: '', code: 'invalid_document', words: ['missing required field "name"'] }],
  ],
  [
    'empty steps',
    { name: 'f', steps: [] },
    [{ pointer: '/steps', code: 'invalid_document', words: ['must not be empty'] }],
  ],
  [
    'unknown top-level field, with a suggestion',
    { name: 'f', steps: [make], stpes: [] },
    [
      {
        pointer: '/stpes',
        code: 'invalid_document',
        words: ['unknown field "stpes"', 'did you mean "steps"'],
      },
    ],
  ],
  [
    'flow name with capitals',
    { name: 'Checkout', steps: [make] },
    [{ pointer: '/name', code: 'invalid_document', words: ['flow name must be lowercase'] }],
  ],
  [
    'step id that is not a CEL identifier',
    flowOf([{ id: 'make-order', task: 'make-order' }]),
    [
      {
        pointer: '/steps/0/id',
        code: 'invalid_document',
        words: ['step id must start with a letter', 'steps.<id>'],
      },
    ],
  ],
  [
    'malformed task reference',
    flowOf([{ id: 'a', task: 'make-order@v2' }]),
    [{ pointer: '/steps/0/task', code: 'invalid_document', words: ['"name" or "name@version"'] }],
  ],
  [
    'edge with "if" but no "goto"',
    flowOf([{ ...make, next: [{ if: 'true' }] }]),
    [
      {
        pointer: '/steps/0/next/0',
        code: 'invalid_document',
        words: ['edge needs "goto" with "if"'],
      },
    ],
  ],
  [
    'edge with both "else" and "goto"',
    flowOf([{ ...make, next: [{ else: 'end', goto: 'end' }] }]),
    [
      {
        pointer: '/steps/0/next/0',
        code: 'invalid_document',
        words: ['edge cannot have both "goto" and "else"'],
      },
    ],
  ],
  [
    'edge that is not an object',
    flowOf([{ ...make, next: ['end'] }]),
    [
      {
        pointer: '/steps/0/next/0',
        code: 'invalid_document',
        words: ['expected an edge', 'found string'],
      },
    ],
  ],
  [
    '"next" of the wrong type',
    flowOf([{ ...make, next: 3 }]),
    [
      {
        pointer: '/steps/0/next',
        code: 'invalid_document',
        words: ['expected a step id, "end", or a list of edges', 'found integer'],
      },
    ],
  ],
  [
    'step that is both a task and a sleep',
    flowOf([{ id: 'a', task: 'make-order', sleep: 'PT1M' }]),
    [
      {
        pointer: '/steps/0',
        code: 'invalid_document',
        words: ['step cannot have both "task" and "sleep"'],
      },
    ],
  ],
  [
    'step that is neither task, sleep nor wait',
    flowOf([make, { id: 'b' }]),
    [
      {
        pointer: '/steps/1',
        code: 'invalid_document',
        words: ['step needs "task", or "sleep", or "waitFor"'],
      },
    ],
  ],
  [
    'unknown field in a step, with a suggestion',
    flowOf([{ ...make, nxt: 'end' }]),
    [
      {
        pointer: '/steps/0/nxt',
        code: 'invalid_document',
        words: ['unknown field "nxt"', 'did you mean "next"'],
      },
    ],
  ],
  [
    'negative retry attempts',
    flowOf([{ ...make, retry: { maximumAttempts: -1 } }]),
    [
      {
        pointer: '/steps/0/retry/maximumAttempts',
        code: 'invalid_document',
        words: ['>= 0', 'found -1'],
      },
    ],
  ],
  [
    'sleep duration that is not ISO 8601',
    flowOf([{ id: 's', sleep: '10 minutes' }]),
    [
      {
        pointer: '/steps/0/sleep',
        code: 'invalid_document',
        words: ['ISO 8601 duration', 'PT10M'],
      },
    ],
  ],
  [
    'input schema with an unsupported keyword',
    flowOf([make], { input: { type: 'object', allOf: [] } }),
    [
      {
        pointer: '/input/allOf',
        code: 'invalid_document',
        words: ['unsupported JSON Schema keyword "allOf"'],
      },
    ],
  ],
  [
    'input schema with a misspelled type',
    flowOf([make], { input: { type: 'objct' } }),
    [
      {
        pointer: '/input/type',
        code: 'invalid_document',
        words: ['found "objct"', 'did you mean "object"'],
      },
    ],
  ],
  [
    'input schema with a dangling $ref',
    flowOf([make], { input: { type: 'object', properties: { a: { $ref: '#/$defs/item' } } } }),
    [
      {
        pointer: '/input/properties/a/$ref',
        code: 'invalid_schema',
        words: ['"#/$defs/item" names no definition'],
      },
    ],
  ],
  [
    'input schema with an invalid pattern',
    flowOf([make], { input: { type: 'string', pattern: '([a-z' } }),
    [
      {
        pointer: '/input/pattern',
        code: 'invalid_schema',
        words: ['invalid regular expression (RE2 syntax): missing closing ]'],
      },
    ],
  ],
  [
    'concurrency limit of zero',
    flowOf([make], { concurrency: { limit: 0 } }),
    [{ pointer: '/concurrency/limit', code: 'invalid_document', words: ['>= 1', 'found 0'] }],
  ],
  [
    'trigger that is both cron and http',
    flowOf([make], { triggers: [{ cron: '* * * * *', http: true }] }),
    [
      {
        pointer: '/triggers/0',
        code: 'invalid_document',
        words: ['trigger cannot have both "cron" and "http"'],
      },
    ],
  ],
  [
    'several schema problems at once',
    flowOf([
      { id: '1st', task: 'make-order' },
      { id: 'b', task: 'ship', timeoutMs: -5 },
    ]),
    [
      { pointer: '/steps/0/id', code: 'invalid_document', words: ['step id'] },
      { pointer: '/steps/1/timeoutMs', code: 'invalid_document', words: ['>= 0'] },
    ],
  ],
  [
    'duplicate step id',
    flowOf([make, { id: 'a', task: 'ship@1', input: { id: 'x' } }]),
    [
      {
        pointer: '/steps/1/id',
        code: 'duplicate_step_id',
        words: ['duplicate step id "a"', '/steps/0'],
      },
    ],
  ],
  [
    '"end" used as a step id',
    flowOf([{ id: 'end', task: 'make-order' }]),
    [{ pointer: '/steps/0/id', code: 'reserved_step_id', words: ['"end" is reserved'] }],
  ],
  [
    'unknown "next" target',
    flowOf([{ ...make, next: 'nope' }]),
    [{ pointer: '/steps/0/next', code: 'unknown_step', words: ['unknown step "nope"', 'a'] }],
  ],
  [
    'unknown "goto" target',
    flowOf([{ ...make, next: [{ if: 'true', goto: 'nope' }] }]),
    [{ pointer: '/steps/0/next/0/goto', code: 'unknown_step', words: ['unknown step "nope"'] }],
  ],
  [
    'unknown "else" target',
    flowOf([{ ...make, next: [{ if: 'true', goto: 'end' }, { else: 'nope' }] }]),
    [{ pointer: '/steps/0/next/1/else', code: 'unknown_step', words: ['unknown step "nope"'] }],
  ],
  [
    'unknown "onError" target',
    flowOf([{ ...make, onError: 'nope' }]),
    [{ pointer: '/steps/0/onError', code: 'unknown_step', words: ['unknown step "nope"'] }],
  ],
  [
    '"else" edge that is not last',
    flowOf([{ ...make, next: [{ else: 'end' }, { if: 'true', goto: 'end' }] }]),
    [
      {
        pointer: '/steps/0/next/1',
        code: 'else_not_last',
        words: ['follows an "else" edge', 'must be the last edge'],
      },
    ],
  ],
  [
    'unreachable step',
    flowOf([
      { ...make, next: 'end' },
      { id: 'b', task: 'ship@1', input: { id: 'x' } },
    ]),
    [{ pointer: '/steps/1', code: 'unreachable_step', words: ['step "b" is unreachable'] }],
  ],
  [
    'unknown task',
    flowOf([{ id: 'a', task: 'nope' }]),
    [{ pointer: '/steps/0/task', code: 'unknown_task', words: ['unknown task "nope"'] }],
  ],
  [
    'unknown task version',
    flowOf([{ id: 'a', task: 'ship@9', input: { id: 'x' } }]),
    [
      {
        pointer: '/steps/0/task',
        code: 'unknown_task',
        words: ['task "ship" has no version 9 (latest is 2)'],
      },
    ],
  ],
]

describe('invalid flow documents (schema and graph)', () => {
  test.each(cases)('%s', (_name, doc, expected) => {
    expectProblems(doc, expected)
  })
})
