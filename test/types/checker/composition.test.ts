/**
 * The checker on `flow`, `set` and `fail` steps: a sub-flow's input against
 * the child flow's input schema, its output typed by the child's output
 * schema, references resolved and pinned, nesting bounded; a set step typed
 * as its template (also when it reads another set step); a fail step's
 * message a string, nothing after it but its error route; and the output
 * schema every flow version gets. Exact pointers, codes and key words.
 */
import { describe, expect, test } from 'vitest'
import { type Expected, expectProblems, expectValid, flowOf } from './helpers.js'

const bill = (extra: Record<string, unknown> = {}) => ({
  id: 'b',
  flow: 'billing',
  input: { amount: '${input.n}', currency: 'EUR' },
  ...extra,
})

const invalid: [string, unknown, Expected[]][] = [
  [
    "a sub-flow input that does not match the child flow's input",
    flowOf([bill({ input: { amount: '${input.id}', currency: 'EUR' } })]),
    [
      {
        pointer: '/steps/0/input/amount',
        code: 'type_mismatch',
        words: ['expected number', 'input of flow billing@2'],
      },
    ],
  ],
  [
    "a sub-flow input without a field the child's input requires",
    flowOf([bill({ input: { amount: 1 } })]),
    [
      {
        pointer: '/steps/0/input',
        code: 'type_mismatch',
        words: ['"currency"', 'input of flow billing@2'],
      },
    ],
  ],
  [
    "a field the sub-flow's output does not have",
    flowOf([
      bill({ input: { amount: 1, currency: 'EUR' } }),
      { id: 's', task: 'ship@1', input: { id: '${steps.b.output.receipts}' } },
    ]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'expression_type',
        words: ['no field "receipts" in billing@2.output', 'receipt'],
      },
    ],
  ],
  [
    'a field of an older version of the sub-flow, pinned',
    flowOf([
      bill({ flow: 'billing@1', input: { amount: 1, currency: 'EUR' } }),
      { id: 's', task: 'pay', input: { amount: '${steps.b.output.total}', currency: 'EUR' } },
    ]),
    [
      {
        pointer: '/steps/1/input/amount',
        code: 'expression_type',
        words: ['no field "total" in billing@1.output'],
      },
    ],
  ],
  [
    'an unknown flow',
    flowOf([bill({ flow: 'biling' })]),
    [
      {
        pointer: '/steps/0/flow',
        code: 'unknown_flow',
        words: ['unknown flow "biling"', 'billing'],
      },
    ],
  ],
  [
    'a version that was never published',
    flowOf([bill({ flow: 'billing@7' })]),
    [
      {
        pointer: '/steps/0/flow',
        code: 'unknown_flow',
        words: ['flow "billing" has no version 7 (latest is 2)'],
      },
    ],
  ],
  [
    'a malformed flow reference',
    flowOf([bill({ flow: 'Billing@x' })]),
    [{ pointer: '/steps/0/flow', code: 'invalid_document', words: ['"name@version"'] }],
  ],
  [
    'a sub-flow whose runs would nest past the limit',
    flowOf([{ id: 'd', flow: 'deep', input: {} }]),
    [
      {
        pointer: '/steps/0/flow',
        code: 'nesting_too_deep',
        words: ['deep@1', '11 levels deep', 'past the limit of 10'],
      },
    ],
  ],
  [
    "the output of a sub-flow step that failed into this step's route",
    flowOf([
      bill({ input: { amount: 1, currency: 'EUR' }, onError: 'c' }),
      { id: 'c', task: 'ship@1', input: { id: '${steps.b.output.receipt + "!"}' } },
    ]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'step_not_available',
        words: ['steps.b.output is not available here'],
      },
    ],
  ],
  [
    "an implicit sub-flow input (the flow input) that does not match the child's",
    flowOf([{ id: 'b', flow: 'billing' }]),
    [
      { pointer: '/steps/0', code: 'type_mismatch', words: ['the flow input', 'flow billing@2'] },
      { pointer: '/steps/0', code: 'type_mismatch', words: ['the flow input', 'flow billing@2'] },
    ],
  ],
  [
    "a syntax error in a set step's template",
    flowOf([{ id: 's', set: { total: '${input.n +}' } }]),
    [{ pointer: '/steps/0/set/total', code: 'expression_syntax', words: ['syntax error'] }],
  ],
  [
    "a set step's output used where its type does not fit",
    flowOf([
      { id: 's', set: { total: '${input.n}' } },
      { id: 'b', task: 'ship@2', input: { id: '${steps.s.output.total}', count: 1 } },
    ]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'type_mismatch',
        words: ['expected string', 'input of task ship@2'],
      },
    ],
  ],
  [
    "a field a set step's output does not have",
    flowOf([
      { id: 's', set: { total: '${input.n}' } },
      { id: 'b', task: 'ship@1', input: { id: '${steps.s.output.nope}' } },
    ]),
    [{ pointer: '/steps/1/input/id', code: 'expression_type', words: ['no field "nope"'] }],
  ],
  [
    'a set step whose value may be absent',
    flowOf([{ id: 's', set: '${input.opt}' }]),
    [{ pointer: '/steps/0/set', code: 'optional_access', words: ['set step "s"'] }],
  ],
  [
    'a set step reading a step that has not run',
    flowOf([
      { id: 's', set: '${steps.a.output.id + "-1"}' },
      { id: 'a', task: 'make-order', input: {} },
    ]),
    [{ pointer: '/steps/0/set', code: 'step_not_available', words: ['steps.a.output'] }],
  ],
  [
    "a fail step's message that is not a string",
    flowOf([{ id: 'f', fail: { message: '${input.n}' } }]),
    [
      {
        pointer: '/steps/0/fail/message',
        code: 'type_mismatch',
        words: ['expected string', 'message of fail step "f"'],
      },
    ],
  ],
  [
    'a step that only follows a fail step',
    flowOf([
      { id: 'f', fail: { message: 'stop' } },
      { id: 'a', task: 'make-order' },
    ]),
    [{ pointer: '/steps/1', code: 'unreachable_step', words: ['step "a" is unreachable'] }],
  ],
  [
    'edges on a fail step',
    flowOf([{ id: 'f', fail: { message: 'stop' }, next: 'end' }]),
    [{ pointer: '/steps/0/next', code: 'invalid_document', words: ['"next"'] }],
  ],
  [
    'a fail code with characters a code cannot have',
    flowOf([{ id: 'f', fail: { message: 'stop', code: 'out of stock' } }]),
    [{ pointer: '/steps/0/fail/code', code: 'invalid_document', words: ['code must start'] }],
  ],
]

const quotes = (branches: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'q',
  parallel: branches,
  ...extra,
})
const shipBranch = { task: 'ship@1', input: { id: '${input.id}' } }
const billBranch = { flow: 'billing', input: { amount: '${input.n}', currency: 'USD' } }

const valid: [string, unknown][] = [
  [
    "a sub-flow's output feeding the next step",
    flowOf([
      bill(),
      { id: 's', task: 'ship@1', input: { id: '${steps.b.output.receipt}' } },
      { id: 'p', set: { total: '${steps.b.output.total}' } },
    ]),
  ],
  [
    'a sub-flow pinned to an older version',
    flowOf([
      bill({ flow: 'billing@1' }),
      { id: 's', task: 'ship@1', input: { id: '${steps.b.output.receipt}' } },
    ]),
  ],
  [
    "a set step's output passed on as a sub-flow's implicit input",
    flowOf([
      { id: 'v', set: { amount: 2.5, currency: 'EUR' } },
      { id: 'b', flow: 'billing' },
    ]),
  ],
  [
    'a set step typed exactly: its integer range fits a narrower input',
    flowOf([
      { id: 'v', set: { n: '${input.n}' } },
      { id: 's', task: 'small' },
    ]),
  ],
  [
    'a set step reading another set step',
    flowOf([
      { id: 'v1', set: { x: '${input.n}' } },
      { id: 'v2', set: { y: '${steps.v1.output.x}' } },
      { id: 's', task: 'small', input: { n: '${steps.v2.output.y}' } },
    ]),
  ],
  [
    'a fail step with a code, routed to a step that reads its error',
    flowOf([
      { id: 'f', fail: { message: 'order ${input.id} is blocked', code: 'blocked' }, onError: 'r' },
      { id: 'r', task: 'ship@1', input: { id: '${steps.f.error.message}' } },
    ]),
  ],
  [
    'a fail step reached by a condition',
    flowOf([
      { id: 'a', task: 'make-order', next: [{ if: 'steps.a.output.total > 100.0', goto: 'f' }] },
      { id: 'ok', set: '${steps.a.output.id}', next: 'end' },
      { id: 'f', fail: { message: 'too expensive' } },
    ]),
  ],
  [
    'a sub-flow retried and routed on error, the route reading its error',
    flowOf([
      bill({ retry: { maximumAttempts: 3, nonRetryable: ['declined'] }, onError: 'r' }),
      { id: 'done', set: '${steps.b.output.receipt}', next: 'end' },
      { id: 'r', task: 'ship@1', input: { id: '${steps.b.error.kind}' } },
    ]),
  ],
]

invalid.push(
  [
    "a branch input that does not match its task's input",
    flowOf([quotes({ ship: { task: 'ship@1', input: { id: '${input.n}' } } })]),
    [
      {
        pointer: '/steps/0/parallel/ship/input/id',
        code: 'type_mismatch',
        words: ['expected string', 'input of task ship@1'],
      },
    ],
  ],
  [
    "a branch input without a field its flow's input requires",
    flowOf([quotes({ bill: { flow: 'billing', input: { amount: 1 } } })]),
    [
      {
        pointer: '/steps/0/parallel/bill/input',
        code: 'type_mismatch',
        words: ['"currency"', 'input of flow billing@2'],
      },
    ],
  ],
  [
    'a branch calling an unknown task',
    flowOf([quotes({ ship: { task: 'shipp' } })]),
    [
      {
        pointer: '/steps/0/parallel/ship/task',
        code: 'unknown_task',
        words: ['unknown task "shipp"'],
      },
    ],
  ],
  [
    'a branch calling an unknown flow',
    flowOf([quotes({ bill: { flow: 'bill' } })]),
    [
      {
        pointer: '/steps/0/parallel/bill/flow',
        code: 'unknown_flow',
        words: ['unknown flow "bill"'],
      },
    ],
  ],
  [
    'a field of a parallel step that no branch has',
    flowOf([
      quotes({ ship: shipBranch }),
      { id: 'after', task: 'ship@1', input: { id: '${steps.q.output.fedex.trackingId}' } },
    ]),
    [{ pointer: '/steps/1/input/id', code: 'expression_type', words: ['no field "fedex"'] }],
  ],
  [
    'a parallel step without branches',
    flowOf([quotes({})]),
    [{ pointer: '/steps/0/parallel', code: 'invalid_document', words: ['fewer than 1'] }],
  ],
  [
    'a branch name that is not an identifier',
    flowOf([quotes({ 'two-words': shipBranch })]),
    [{ pointer: '/steps/0/parallel/two-words', code: 'invalid_document', words: ['step id'] }],
  ],
  [
    'a branch that calls both a task and a flow',
    flowOf([quotes({ ship: { task: 'ship@1', flow: 'billing' } })]),
    [{ pointer: '/steps/0/parallel/ship', code: 'invalid_document', words: ['"flow"'] }],
  ],
)

valid.push(
  [
    "a parallel step's branches (a task and a sub-flow) feeding the next step",
    flowOf([
      quotes({ ship: shipBranch, bill: billBranch }, { onError: 'failed' }),
      {
        id: 'after',
        task: 'ship@1',
        input: { id: '${steps.q.output.ship.trackingId + steps.q.output.bill.receipt}' },
        next: 'end',
      },
      { id: 'failed', set: '${steps.q.error.message}' },
    ]),
  ],
  [
    'a branch with its own retry and timeout',
    flowOf([quotes({ ship: { ...shipBranch, retry: { maximumAttempts: 3 }, timeoutMs: 500 } })]),
  ],
)

const orders = {
  type: 'object',
  required: ['id', 'lines'],
  properties: {
    id: { type: 'string' },
    lines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['sku', 'qty'],
        properties: { sku: { type: 'string' }, qty: { type: 'integer', minimum: 1, maximum: 100 } },
      },
    },
  },
}
const eachLine = (extra: Record<string, unknown> = {}) => ({
  id: 'e',
  forEach: '${input.lines}',
  task: 'ship@1',
  input: { id: '${item.sku}' },
  ...extra,
})

invalid.push(
  [
    'a forEach that is a bare expression, not a template',
    { name: 'f', input: orders, steps: [eachLine({ forEach: 'input.lines' })] },
    [{ pointer: '/steps/0/forEach', code: 'not_a_list', words: ['write "${input.lines}"'] }],
  ],
  [
    'a forEach over something that is not a list',
    { name: 'f', input: orders, steps: [eachLine({ forEach: '${input.id}' })] },
    [
      {
        pointer: '/steps/0/forEach',
        code: 'not_a_list',
        words: ['must be a list', '"input.id" is string'],
      },
    ],
  ],
  [
    'a field the list elements do not have',
    { name: 'f', input: orders, steps: [eachLine({ input: { id: '${item.skus}' } })] },
    [{ pointer: '/steps/0/input/id', code: 'expression_type', words: ['no field "skus"'] }],
  ],
  [
    "an item input that does not match the task's input",
    { name: 'f', input: orders, steps: [eachLine({ input: { id: '${item.qty}' } })] },
    [
      {
        pointer: '/steps/0/input/id',
        code: 'type_mismatch',
        words: ['expected string', 'input of task ship@1'],
      },
    ],
  ],
  [
    'a forEach calling both a task and a flow',
    { name: 'f', input: orders, steps: [eachLine({ flow: 'billing' })] },
    [
      {
        pointer: '/steps/0',
        code: 'invalid_document',
        words: ['exactly one of "task" and "flow"'],
      },
    ],
  ],
  [
    'a forEach calling an unknown task',
    { name: 'f', input: orders, steps: [eachLine({ task: 'shipp' })] },
    [{ pointer: '/steps/0/task', code: 'unknown_task', words: ['unknown task "shipp"'] }],
  ],
  [
    'index used outside an item input',
    { name: 'f', input: orders, steps: [eachLine(), { id: 'v', set: '${index}' }] },
    [{ pointer: '/steps/1/set', code: 'expression_type', words: ['unknown name "index"'] }],
  ],
)

valid.push(
  [
    "a forEach's output (the array of its calls' outputs) feeding the next step",
    {
      name: 'f',
      input: orders,
      steps: [
        eachLine({ concurrency: 4 }),
        { id: 'v', set: '${steps.e.output.map(o, o.trackingId)}' },
      ],
    },
  ],
  [
    'a forEach with continueOnError, whose elements say ok or not',
    {
      name: 'f',
      input: orders,
      steps: [
        eachLine({ continueOnError: true }),
        { id: 'v', set: '${steps.e.output.filter(r, r.ok).size()}' },
      ],
    },
  ],
  [
    "a forEach over a list in a step's output",
    flowOf([
      { id: 'a', task: 'make-order' },
      { id: 'e', forEach: '${steps.a.output.tags}', task: 'ship@1', input: { id: '${item}' } },
    ]),
  ],
  [
    'a branch without input, given the output of the step before',
    flowOf([{ id: 'a', task: 'make-order' }, quotes({ ship: { task: 'ship@1' } })]),
  ],
  [
    'a forEach over a sub-flow, with index in the item input',
    {
      name: 'f',
      input: orders,
      steps: [
        {
          id: 'e',
          forEach: '${input.lines}',
          flow: 'billing',
          input: { amount: '${item.qty}', currency: 'EUR' },
        },
      ],
    },
  ],
)

describe('invalid composition', () => {
  test.each(invalid)('%s', (_name, doc, expected) => {
    expectProblems(doc, expected)
  })
})

describe('valid composition', () => {
  test.each(valid)('%s', (_name, doc) => {
    expectValid(doc)
  })

  test("a parallel step's branches are pinned, typed, and nest one level deeper than their calls", () => {
    const { compiled } = expectValid(flowOf([quotes({ ship: shipBranch, bill: billBranch })]))
    expect(compiled.document.steps[0]).toEqual({
      id: 'q',
      parallel: {
        ship: { task: 'ship@1', input: { id: '${input.id}' } },
        bill: { flow: 'billing@2', input: { amount: '${input.n}', currency: 'USD' } },
      },
    })
    expect(compiled.outputSchema).toEqual({
      type: 'object',
      properties: {
        ship: {
          type: 'object',
          required: ['trackingId'],
          properties: { trackingId: { type: 'string' } },
        },
        bill: {
          type: 'object',
          required: ['receipt', 'total'],
          properties: { receipt: { type: 'string' }, total: { type: 'number' } },
        },
      },
      required: ['ship', 'bill'],
      additionalProperties: false,
    })
    // The bill branch: its one-step child (1), which starts billing@2 (2), whose own child (3).
    expect(compiled.nesting).toBe(3)
    expect([...(compiled.steps[0]?.branches?.keys() ?? [])]).toEqual(['ship', 'bill'])
  })

  test('references to flows are pinned, and nesting counts the deepest sub-flow', () => {
    const { compiled } = expectValid(
      flowOf([bill(), { id: 'c', flow: 'billing@1', input: { amount: 1, currency: 'USD' } }]),
    )
    expect(compiled.document.steps.map((s) => ('flow' in s ? s.flow : s.id))).toEqual([
      'billing@2',
      'billing@1',
    ])
    expect(compiled.nesting).toBe(2)
  })

  test("the output schema is the output template's type", () => {
    const { compiled } = expectValid(
      flowOf([bill()], { output: { receipt: '${steps.b.output.receipt}', n: 1 } }),
    )
    expect(compiled.outputSchema).toEqual({
      type: 'object',
      properties: { receipt: { type: 'string' }, n: { type: 'integer', const: 1 } },
      required: ['receipt', 'n'],
      additionalProperties: false,
    })
  })

  test('without an output template, the union of the outputs of the steps that can end the run', () => {
    const { compiled } = expectValid(
      flowOf([
        {
          id: 'a',
          task: 'ship@1',
          input: { id: '${input.id}' },
          next: [{ if: 'input.n > 5', goto: 'end' }],
        },
        { id: 'v', set: { n: '${input.n}' } },
      ]),
    )
    expect(compiled.outputSchema).toEqual({
      anyOf: [
        {
          type: 'object',
          required: ['trackingId'],
          properties: { trackingId: { type: 'string' } },
        },
        {
          type: 'object',
          properties: { n: { type: 'integer', minimum: 0, maximum: 10 } },
          required: ['n'],
          additionalProperties: false,
        },
      ],
    })
    expect(compiled.nesting).toBe(0)
  })
})
