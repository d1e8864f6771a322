/**
 * The checker on `compensate`: its call resolved and pinned, its input
 * checked against what the call takes, seeing what dominates its step plus
 * the step's own output (omitted: the step's output is passed on), only on
 * task and flow steps, its nesting bounded. Exact pointers, codes and words.
 */
import { describe, expect, test } from 'vitest'
import { type Expected, expectProblems, expectValid, flowOf } from './helpers.js'

/** A task step shipping `input.id`, with the given compensation. */
const shipping = (compensate: unknown, extra: Record<string, unknown> = {}) => ({
  id: 's',
  task: 'ship@1',
  input: { id: '${input.id}' },
  compensate,
  ...extra,
})

const invalid: [string, unknown, Expected[]][] = [
  [
    "a compensation input that does not match its task's input",
    flowOf([
      shipping({ task: 'pay', input: { amount: '${steps.s.output.trackingId}', currency: 'EUR' } }),
    ]),
    [
      {
        pointer: '/steps/0/compensate/input/amount',
        code: 'type_mismatch',
        words: ['expected number', 'input of task pay@1'],
      },
    ],
  ],
  [
    "an omitted compensation input, the step's output not what the call takes",
    flowOf([shipping({ task: 'pay' })]),
    [
      {
        pointer: '/steps/0/compensate',
        code: 'type_mismatch',
        words: ['"input" is omitted', 'the output of step "s"', 'input of task pay@1', '"amount"'],
      },
      {
        pointer: '/steps/0/compensate',
        code: 'type_mismatch',
        words: ['"input" is omitted', 'input of task pay@1', '"currency"'],
      },
    ],
  ],
  [
    "a compensation input that does not match its flow's input",
    flowOf([shipping({ flow: 'billing', input: { amount: '${input.id}', currency: 'EUR' } })]),
    [
      {
        pointer: '/steps/0/compensate/input/amount',
        code: 'type_mismatch',
        words: ['expected number', 'input of flow billing@2'],
      },
    ],
  ],
  [
    'a compensation reading a step that does not run on every path to its step',
    flowOf([
      {
        id: 'first',
        task: 'ship@1',
        input: { id: 'x' },
        next: [{ if: 'input.n > 1', goto: 'maybe' }, { else: 's' }],
      },
      { id: 'maybe', task: 'ship@1', input: { id: 'y' } },
      shipping({ task: 'ship@1', input: { id: 'undo-${steps.maybe.output.trackingId}' } }),
    ]),
    [
      {
        pointer: '/steps/2/compensate/input/id',
        code: 'step_not_available',
        words: ['steps.maybe.output is not available here', 'has not succeeded on every path'],
      },
    ],
  ],
  [
    "a field the step's output does not have",
    flowOf([shipping({ task: 'ship@1', input: { id: '${steps.s.output.tracking}' } })]),
    [
      {
        pointer: '/steps/0/compensate/input/id',
        code: 'expression_type',
        words: ['no field "tracking"', 'trackingId'],
      },
    ],
  ],
  [
    'an unknown compensation task',
    flowOf([shipping({ task: 'refnd' })]),
    [{ pointer: '/steps/0/compensate/task', code: 'unknown_task', words: ['"refnd"'] }],
  ],
  [
    'an unknown compensation flow',
    flowOf([shipping({ flow: 'biling' })]),
    [
      {
        pointer: '/steps/0/compensate/flow',
        code: 'unknown_flow',
        words: ['unknown flow "biling"', 'billing'],
      },
    ],
  ],
  [
    'a compensation with both a task and a flow',
    flowOf([shipping({ task: 'pay', flow: 'billing' })]),
    [
      {
        pointer: '/steps/0/compensate',
        code: 'invalid_document',
        words: ['compensation cannot have both "task" and "flow"'],
      },
    ],
  ],
  [
    'a compensation with neither a task nor a flow',
    flowOf([shipping({})]),
    [
      {
        pointer: '/steps/0/compensate',
        code: 'invalid_document',
        words: ['compensation needs "task", or "flow"'],
      },
    ],
  ],
  [
    'a timeout on a flow compensation',
    flowOf([shipping({ flow: 'billing', timeoutMs: 5, input: { amount: 1, currency: 'EUR' } })]),
    [
      {
        pointer: '/steps/0/compensate/timeoutMs',
        code: 'invalid_document',
        words: ['unknown field "timeoutMs"'],
      },
    ],
  ],
  [
    'a compensation on a set step',
    flowOf([{ id: 's', set: 1, compensate: { task: 'pay' } }]),
    [
      {
        pointer: '/steps/0/compensate',
        code: 'invalid_document',
        words: ['unknown field "compensate"'],
      },
    ],
  ],
  [
    'a compensation on a parallel step',
    flowOf([
      {
        id: 's',
        parallel: { a: { task: 'ship@1', input: { id: 'x' } } },
        compensate: { task: 'pay' },
      },
    ]),
    [
      {
        pointer: '/steps/0/compensate',
        code: 'invalid_document',
        words: ['unknown field "compensate"'],
      },
    ],
  ],
  [
    'a compensation input that does not parse',
    flowOf([shipping({ task: 'ship@1', input: { id: '${steps.s.output.(}' } })]),
    [
      {
        pointer: '/steps/0/compensate/input/id',
        code: 'expression_syntax',
        words: ['syntax error'],
      },
    ],
  ],
  [
    'a compensation reading item, which only a forEach input has',
    flowOf([shipping({ task: 'ship@1', input: { id: '${item}' } })]),
    [
      {
        pointer: '/steps/0/compensate/input/id',
        code: 'expression_type',
        words: ['unknown name "item"'],
      },
    ],
  ],
  [
    'a compensation whose flow nests too deep',
    flowOf([shipping({ flow: 'deep' })]),
    [
      {
        pointer: '/steps/0/compensate',
        code: 'nesting_too_deep',
        words: ['its compensation starts child runs 12 levels deep', 'limit of 10'],
      },
    ],
  ],
  [
    'problems in two compensations, all reported at once',
    flowOf([
      shipping({ task: 'pay' }),
      {
        id: 't',
        task: 'small',
        input: { n: '${input.n}' },
        compensate: { task: 'small', input: { n: '${steps.s.output.trackingId}' } },
      },
    ]),
    [
      { pointer: '/steps/0/compensate', code: 'type_mismatch', words: ['"amount"'] },
      { pointer: '/steps/0/compensate', code: 'type_mismatch', words: ['"currency"'] },
      {
        pointer: '/steps/1/compensate/input/n',
        code: 'type_mismatch',
        words: ['expected integer', 'input of task small@1'],
      },
    ],
  ],
]

const valid: [string, unknown][] = [
  [
    "an omitted compensation input: the step's output is what the call takes",
    flowOf([{ id: 't', task: 'small', input: { n: '${input.n}' }, compensate: { task: 'small' } }]),
  ],
  [
    "a compensation reading the flow's input, a step before its step and its own output",
    flowOf([
      { id: 'o', task: 'small', input: { n: '${input.n}' } },
      shipping({
        task: 'ship@2',
        input: {
          id: '${string(steps.o.output.n) + steps.s.output.trackingId + input.id}',
          count: '${input.n}',
        },
      }),
    ]),
  ],
  [
    'a flow compensation with its retry',
    flowOf([
      shipping({
        flow: 'billing',
        input: { amount: 1, currency: 'EUR' },
        retry: { maximumAttempts: 3 },
      }),
    ]),
  ],
  [
    'a task compensation with its retry and timeout',
    flowOf([
      shipping({
        task: 'ship@1',
        input: { id: '${steps.s.output.trackingId}' },
        retry: { maximumAttempts: 2 },
        timeoutMs: 500,
      }),
    ]),
  ],
  [
    "a compensation on a flow step, reading the child flow's output",
    flowOf([
      {
        id: 'b',
        flow: 'billing',
        input: { amount: 1, currency: 'EUR' },
        compensate: { task: 'ship@1', input: { id: '${steps.b.output.receipt}' } },
      },
    ]),
  ],
  [
    'a compensation on a step reached after a branch',
    flowOf([
      { id: 'first', task: 'small', input: { n: 1 }, next: [{ if: 'input.n > 1', goto: 's' }] },
      shipping({ task: 'ship@1', input: { id: '${steps.s.output.trackingId}' } }),
    ]),
  ],
]

describe('invalid compensations', () => {
  test.each(invalid)('%s', (_name, doc, expected) => {
    expectProblems(doc, expected)
  })
})

describe('valid compensations', () => {
  test.each(valid)('%s', (_name, doc) => {
    expectValid(doc)
  })

  test("a compensation's call is pinned and compiled into its one-step flow", () => {
    const { compiled } = expectValid(
      flowOf([shipping({ task: 'pay', input: { amount: 1, currency: 'EUR' } })]),
    )
    expect(compiled.document.steps[0]).toMatchObject({ compensate: { task: 'pay@1' } })
    const compensation = compiled.steps[0]?.compensation
    expect(compensation?.target.task?.version).toBe(1)
    expect(compensation?.inline.steps.map((s) => [s.id, s.task?.name])).toEqual([
      ['compensate', 'pay'],
    ])
  })
})
