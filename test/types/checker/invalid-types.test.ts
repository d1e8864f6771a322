/**
 * Flows that are well-formed documents but wrong in their types: expression
 * errors, type mismatches against task inputs, steps used where they may not
 * have run, trigger problems. Each asserts exact pointers, codes and key words.
 */
import { describe, test } from 'vitest'
import { type Expected, expectProblems, flowOf } from './helpers.js'

const make = { id: 'a', task: 'make-order' }
const ship = (input: unknown, extra: Record<string, unknown> = {}) => ({
  id: 'b',
  task: 'ship@2',
  input,
  ...extra,
})
const shipOk = { id: '${steps.a.output.id}', count: '${steps.a.output.count}' }

const cases: [string, unknown, Expected[]][] = [
  [
    'syntax error in a template',
    flowOf([make, ship({ ...shipOk, id: '${steps.a.output.id +}' })]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'expression_syntax',
        words: ['syntax error', 'steps.a.output.id +'],
      },
    ],
  ],
  [
    'unterminated ${',
    flowOf([make, ship({ ...shipOk, id: 'order ${steps.a.output.id' })]),
    [{ pointer: '/steps/1/input/id', code: 'expression_syntax', words: ['unterminated "${"'] }],
  ],
  [
    'field that the task output does not have',
    flowOf([make, ship({ ...shipOk, id: '${steps.a.output.idd}' })]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'expression_type',
        words: ['no field "idd" in make-order@1.output', 'fields: id, total'],
      },
    ],
  ],
  [
    'reference to an unknown step',
    flowOf([make, ship({ ...shipOk, id: '${steps.nope.output.id}' })]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'expression_type',
        words: ['unknown step "nope"', 'steps: a, b'],
      },
    ],
  ],
  [
    'unknown variable',
    flowOf([make, ship({ ...shipOk, id: '${order.id}' })]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'expression_type',
        words: ['unknown name "order"', 'input, steps.<id>.output'],
      },
    ],
  ],
  [
    'int and double mixed in arithmetic',
    flowOf([
      make,
      { id: 'p', task: 'pay', input: { amount: '${steps.a.output.total + 1}', currency: 'EUR' } },
    ]),
    [
      {
        pointer: '/steps/1/input/amount',
        code: 'expression_type',
        words: ['double + int', 'write 2.0 instead of 2'],
      },
    ],
  ],
  [
    'condition that is not bool',
    flowOf([{ ...make, next: [{ if: 'steps.a.output.total', goto: 'end' }] }]),
    [
      {
        pointer: '/steps/0/next/0/if',
        code: 'condition_not_bool',
        words: ['must be bool', 'is double'],
      },
    ],
  ],
  [
    'condition comparing a string with an int',
    flowOf([{ ...make, next: [{ if: 'steps.a.output.id > 2', goto: 'end' }] }]),
    [{ pointer: '/steps/0/next/0/if', code: 'expression_type', words: ['string > int'] }],
  ],
  [
    'unguarded optional property',
    flowOf([{ ...make, next: [{ if: 'steps.a.output.note == "rush"', goto: 'end' }] }]),
    [
      {
        pointer: '/steps/0/next/0/if',
        code: 'optional_access',
        words: [
          'steps.a.output.note may be absent',
          '"note" is not required',
          'has(steps.a.output.note)',
        ],
      },
    ],
  ],
  [
    'unguarded nullable property',
    flowOf([{ ...make, next: [{ if: 'steps.a.output.maybe == "x"', goto: 'end' }] }]),
    [
      {
        pointer: '/steps/0/next/0/if',
        code: 'optional_access',
        words: ['steps.a.output.maybe may be absent', 'it may be null'],
      },
    ],
  ],
  [
    'optional object reached through a guard on something else',
    flowOf([
      {
        ...make,
        next: [
          { if: 'has(steps.a.output.note) && steps.a.output.meta.source == "web"', goto: 'end' },
        ],
      },
    ]),
    [
      {
        pointer: '/steps/0/next/0/if',
        code: 'optional_access',
        words: ['steps.a.output.meta may be absent'],
      },
    ],
  ],
  [
    'string passed where an integer is expected',
    flowOf([make, ship({ ...shipOk, count: '${steps.a.output.id}' })]),
    [
      {
        pointer: '/steps/1/input/count',
        code: 'type_mismatch',
        words: ['expected integer in [0, 100], found string', 'input of task ship@2'],
      },
    ],
  ],
  [
    'unbounded integer passed where a range is expected',
    flowOf([make, ship({ ...shipOk, count: '${steps.a.output.count * 2}' })]),
    [
      {
        pointer: '/steps/1/input/count',
        code: 'type_mismatch',
        words: ['expected integer in [0, 100]', 'found integer in [-9007199254740991'],
      },
    ],
  ],
  [
    'number passed where an integer is expected',
    flowOf([make, ship({ ...shipOk, count: '${steps.a.output.total}' })]),
    [
      {
        pointer: '/steps/1/input/count',
        code: 'type_mismatch',
        words: ['expected integer in [0, 100], found number'],
      },
    ],
  ],
  [
    'literal out of range',
    flowOf([make, ship({ ...shipOk, count: 101 })]),
    [
      {
        pointer: '/steps/1/input/count',
        code: 'type_mismatch',
        words: ['expected integer in [0, 100], found 101'],
      },
    ],
  ],
  [
    'required property missing from the input',
    flowOf([make, ship({ id: '${steps.a.output.id}' })]),
    [
      {
        pointer: '/steps/1/input',
        code: 'type_mismatch',
        words: ['property "count" is required but is missing'],
      },
    ],
  ],
  [
    'property the closed input does not allow',
    flowOf([make, ship({ ...shipOk, extra: 1 })]),
    [
      {
        pointer: '/steps/1/input/extra',
        code: 'type_mismatch',
        words: ['property "extra" is not allowed', 'additionalProperties: false'],
      },
    ],
  ],
  [
    'literal outside an enum',
    flowOf([{ id: 'p', task: 'pay', input: { amount: 1, currency: 'GBP' } }]),
    [
      {
        pointer: '/steps/0/input/currency',
        code: 'type_mismatch',
        words: ['expected "EUR" | "USD", found "GBP"'],
      },
    ],
  ],
  [
    'string expression passed to an enum',
    flowOf([
      make,
      { id: 'p', task: 'pay', input: { amount: 1, currency: '${steps.a.output.id}' } },
    ]),
    [
      {
        pointer: '/steps/1/input/currency',
        code: 'type_mismatch',
        words: ['expected "EUR" | "USD", found string'],
      },
    ],
  ],
  [
    'enum of another type passed to an enum',
    flowOf([
      make,
      { id: 'p', task: 'pay', input: { amount: 1, currency: '${steps.a.output.status}' } },
    ]),
    [
      {
        pointer: '/steps/1/input/currency',
        code: 'type_mismatch',
        words: ['expected "EUR" | "USD", found "new" | "paid"'],
      },
    ],
  ],
  [
    'optional value passed to a required property',
    flowOf([make, ship({ ...shipOk, id: '${steps.a.output.note}' })]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'type_mismatch',
        words: ['property "id" is required but may be absent'],
      },
    ],
  ],
  [
    'nullable value passed to a non-null property',
    flowOf([make, ship({ ...shipOk, note: '${steps.a.output.maybe}' })]),
    [
      {
        pointer: '/steps/1/input/note',
        code: 'type_mismatch',
        words: ['expected string, found null (the value may be null)'],
      },
    ],
  ],
  [
    'array items that do not fit, reported inside the value',
    flowOf([{ id: 's', task: 'sum-items', input: { items: '${input.items}' } }], {
      input: {
        type: 'object',
        required: ['items'],
        properties: {
          items: {
            type: 'array',
            items: { type: 'object', properties: { qty: { type: 'integer' } } },
          },
        },
      },
    }),
    [
      {
        pointer: '/steps/0/input/items',
        code: 'type_mismatch',
        words: ['at /*/qty: property "qty" is required but may be absent'],
      },
      {
        pointer: '/steps/0/input/items',
        code: 'type_mismatch',
        words: ['at /*/qty: expected integer ≥ 1, found integer (unbounded)'],
      },
    ],
  ],
  [
    'implicit input that does not fit the task',
    flowOf([make, { id: 'b', task: 'small' }]),
    [
      {
        pointer: '/steps/1',
        code: 'type_mismatch',
        words: [
          '"input" is omitted, so the output of step "a" is passed',
          'property "n" is required but is missing',
        ],
      },
    ],
  ],
  [
    'implicit input of the first step is the flow input',
    flowOf([{ id: 'b', task: 'pay' }]),
    [
      {
        pointer: '/steps/0',
        code: 'type_mismatch',
        words: ['so the flow input is passed', 'property "amount" is required but is missing'],
      },
      {
        pointer: '/steps/0',
        code: 'type_mismatch',
        words: ['so the flow input is passed', 'property "currency" is required but is missing'],
      },
    ],
  ],
  [
    'implicit input on an error route',
    flowOf([
      { ...make, onError: 'b', next: 'end' },
      { id: 'b', task: 'echo' },
    ]),
    [
      {
        pointer: '/steps/1',
        code: 'implicit_input',
        words: ['step "a" routes its errors here', 'explicit "input"'],
      },
    ],
  ],
  [
    'step used before it runs',
    flowOf([ship({ id: '${steps.a.output.id}', count: 1 }), make]),
    [
      {
        pointer: '/steps/0/input/id',
        code: 'type_mismatch',
        words: ['property "id" is required but may be absent'],
      },
    ],
  ],
  [
    'step used in an expression before it runs',
    flowOf([ship({ id: '${steps.a.output.id + "-1"}', count: 1 }), make]),
    [
      {
        pointer: '/steps/0/input/id',
        code: 'step_not_available',
        words: ['steps.a.output is not available here', 'step "a" has not succeeded on every path'],
      },
    ],
  ],
  [
    'step that ran on one branch only, used after the join',
    flowOf([
      { id: 'start', task: 'echo', input: {}, next: [{ if: 'input.n > 5', goto: 'c' }] },
      { ...make, input: {} },
      { id: 'c', task: 'pay', input: { amount: '${steps.a.output.total * 2.0}', currency: 'EUR' } },
    ]),
    [
      {
        pointer: '/steps/2/input/amount',
        code: 'step_not_available',
        words: ['steps.a.output is not available here'],
      },
    ],
  ],
  [
    'error of a step that did not fail into this step',
    flowOf([make, { id: 'b', task: 'echo', input: { why: '${steps.a.error.message + "!"}' } }]),
    [
      {
        pointer: '/steps/1/input/why',
        code: 'step_not_available',
        words: ['steps.a.error is not available here', 'has not failed on every path'],
      },
    ],
  ],
  [
    'output of a step in its own error route',
    flowOf([
      { ...make, onError: 'b', next: 'end' },
      { id: 'b', task: 'echo', input: { id: '${steps.a.output.id + ""}' } },
    ]),
    [
      {
        pointer: '/steps/1/input/id',
        code: 'step_not_available',
        words: ['steps.a.output is not available here'],
      },
    ],
  ],
  [
    'step output used in the flow output where it may not have run',
    flowOf([{ ...make, next: [{ if: 'steps.a.output.count > 5', goto: 'end' }] }, ship(shipOk)], {
      output: { tracking: '${steps.b.output.trackingId + ""}' },
    }),
    [
      {
        pointer: '/output/tracking',
        code: 'step_not_available',
        words: ['steps.b.output is not available here'],
      },
    ],
  ],
  [
    'absent value inside an array',
    flowOf([make, { id: 'b', task: 'echo', input: ['${steps.a.output.note}'] }]),
    [
      {
        pointer: '/steps/1/input/0',
        code: 'optional_access',
        words: ['an array item cannot be left out'],
      },
    ],
  ],
  [
    'trigger guard that is not bool',
    flowOf([make], { triggers: [{ http: true, when: 'input.n' }] }),
    [
      {
        pointer: '/triggers/0/when',
        code: 'condition_not_bool',
        words: ['must be bool', 'is int'],
      },
    ],
  ],
  [
    'trigger guard that reads a step',
    flowOf([make], { triggers: [{ http: true, when: 'has(steps.a.output)' }] }),
    [{ pointer: '/triggers/0/when', code: 'expression_type', words: ['can use only input'] }],
  ],
  [
    'cron input that does not match the flow input',
    flowOf([make], { triggers: [{ cron: '0 * * * *', input: { id: 'x', n: 11 } }] }),
    [
      {
        pointer: '/triggers/0/input/n',
        code: 'invalid_trigger_input',
        words: ['<= 10', 'found 11'],
      },
    ],
  ],
  [
    'type error in the flow output',
    flowOf([make], { output: { total: '${steps.a.output.total + steps.a.output.count}' } }),
    [{ pointer: '/output/total', code: 'expression_type', words: ['double + int'] }],
  ],
  [
    'several type problems reported at once',
    flowOf([make, ship({ id: 5, count: '${steps.a.output.tags}' })]),
    [
      { pointer: '/steps/1/input/id', code: 'type_mismatch', words: ['expected string, found 5'] },
      {
        pointer: '/steps/1/input/count',
        code: 'type_mismatch',
        words: ['expected integer in [0, 100], found array'],
      },
    ],
  ],
]

describe('invalid flows (types, expressions, dominance)', () => {
  test.each(cases)('%s', (_name, doc, expected) => {
    expectProblems(doc, expected)
  })
})
