/** Flows the checker accepts: every example flow, and edge cases of the language. */
import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { checkFlow, type FlowDocument, type ResolvedFlow } from '../../../types/index.js'
import { resolveFixture } from '../../fixtures/tasks.js'
import { expectValid, flowOf } from './helpers.js'

const flowsDir = new URL('../../../flows/', import.meta.url)
const exampleFlows = readdirSync(flowsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()

describe('example flows', () => {
  test('there are at least three', () => {
    expect(exampleFlows.length).toBeGreaterThanOrEqual(3)
  })
  // Checked in file order, as `npm start` publishes them: a flow step names an example before it.
  const published: ResolvedFlow[] = []
  const resolveFlow = (name: string, version?: number) =>
    published.find((f) => f.name === name && (version === undefined || f.version === version))
  test.each(exampleFlows)('%s passes the checker with no warnings', (file) => {
    const doc = JSON.parse(readFileSync(new URL(file, flowsDir), 'utf8')) as FlowDocument
    const result = checkFlow(doc, resolveFixture, { resolveFlow })
    if (!result.ok) expect(result.problems).toEqual([])
    if (!result.ok) return
    expect(result.warnings).toEqual([])
    for (const step of result.compiled.document.steps) {
      if ('task' in step) expect(step.task).toMatch(/@\d+$/)
      if ('flow' in step) expect(step.flow).toMatch(/@\d+$/)
    }
    const { outputSchema, nesting } = result.compiled
    published.push({ name: doc.name, version: 1, input: doc.input, output: outputSchema, nesting })
  })
})

const make = { id: 'a', task: 'make-order' }
const shipOk = { id: '${steps.a.output.id}', count: '${steps.a.output.count}' }

const cases: [string, unknown][] = [
  [
    'optional property guarded by has()',
    flowOf([
      {
        ...make,
        next: [{ if: 'has(steps.a.output.note) && steps.a.output.note == "rush"', goto: 'end' }],
      },
    ]),
  ],
  [
    'optional property guarded in the false branch of !has() ||',
    flowOf([
      {
        ...make,
        next: [
          { if: '!has(steps.a.output.meta) || steps.a.output.meta.source == "web"', goto: 'end' },
        ],
      },
    ]),
  ],
  [
    'optional chaining with a default',
    flowOf([
      { ...make, next: [{ if: 'steps.a.output.?note.orValue("") == "rush"', goto: 'end' }] },
    ]),
  ],
  [
    'absent value passed to an optional property, and left out of the output',
    flowOf(
      [make, { id: 'b', task: 'ship@2', input: { ...shipOk, note: '${steps.a.output.note}' } }],
      {
        output: { note: '${steps.a.output.note}', maybe: '${steps.a.output.maybe}' },
      },
    ),
  ],
  [
    'step that ran on one branch, used after the join under a has() guard',
    flowOf([
      { id: 'start', task: 'echo', input: {}, next: [{ if: 'input.n > 5', goto: 'c' }] },
      { ...make, input: {} },
      {
        id: 'c',
        task: 'pay',
        input: { amount: '${has(steps.a.output) ? steps.a.output.total : 0.0}', currency: 'EUR' },
      },
    ]),
  ],
  [
    'loop whose step takes its own previous output as input',
    flowOf([
      { id: 'seed', task: 'small', input: { n: '${input.n}' } },
      { id: 'loop', task: 'small', next: [{ if: 'steps.loop.output.n < 200', goto: 'loop' }] },
    ]),
  ],
  [
    'error route that reads the failed step error',
    flowOf([
      { ...make, onError: 'report', next: 'end' },
      {
        id: 'report',
        task: 'echo',
        input: { kind: '${steps.a.error.kind}', text: 'failed: ${steps.a.error.message}' },
      },
    ]),
  ],
  [
    'edges to "end" and a step going back to the start',
    flowOf([
      {
        ...make,
        next: [
          { if: 'steps.a.output.count == 0', goto: 'end' },
          { if: 'steps.a.output.count > 50', goto: 'a' },
          { else: 'b' },
        ],
      },
      { id: 'b', task: 'ship@2', input: shipOk, next: 'end' },
    ]),
  ],
  [
    'integer range passed where any number is accepted',
    flowOf([
      make,
      { id: 'p', task: 'pay', input: { amount: '${steps.a.output.count}', currency: 'USD' } },
    ]),
  ],
  [
    'ternary of literals passed to an enum',
    flowOf([
      make,
      {
        id: 'p',
        task: 'pay',
        input: { amount: 1, currency: '${steps.a.output.count > 5 ? "EUR" : "USD"}' },
      },
    ]),
  ],
  [
    'int field compared with a double literal and a double with an int literal',
    flowOf([
      {
        ...make,
        next: [{ if: 'steps.a.output.count > 2.5 && steps.a.output.total == 3', goto: 'end' }],
      },
    ]),
  ],
  [
    'sleep and a typed event, then the event payload used',
    flowOf([
      { id: 'pause', sleep: 'PT10M' },
      {
        id: 'approval',
        waitFor: 'approved',
        timeoutMs: 60000,
        schema: { type: 'object', required: ['by'], properties: { by: { type: 'string' } } },
      },
      { id: 'b', task: 'ship@1', input: { id: '${steps.approval.output.by}' } },
    ]),
  ],
  [
    'numbers and booleans interpolated into a non-empty string',
    flowOf([
      make,
      {
        id: 'n',
        task: 'notify',
        input: {
          channel: 'ops',
          message: 'count: ${steps.a.output.count}, paid: ${steps.a.output.status == "paid"}',
        },
      },
    ]),
  ],
  [
    'nested literal objects and arrays in a template',
    flowOf([{ id: 'e', task: 'echo', input: { a: [1, { b: '${input.id}' }], c: { d: null } } }]),
  ],
  [
    'a path whose schema uses $defs passed to a task with its own $defs',
    flowOf([{ id: 's', task: 'sum-items', input: { items: '${input.items}' } }], {
      input: {
        type: 'object',
        required: ['items'],
        properties: { items: { type: 'array', items: { $ref: '#/$defs/line' } } },
        $defs: {
          line: {
            type: 'object',
            required: ['qty'],
            properties: { qty: { type: 'integer', minimum: 1, maximum: 9 } },
          },
        },
      },
    }),
  ],
  [
    'flow without an input schema calling a task that accepts anything',
    { name: 'f', steps: [{ id: 'e', task: 'echo' }] },
  ],
  [
    'cron trigger with a valid input and a guard',
    flowOf([make], {
      triggers: [
        { cron: '*/5 * * * *', input: { id: 'x', n: 3 }, when: 'input.n > 2' },
        { http: true, when: 'size(input.id) > 0' },
      ],
    }),
  ],
  [
    'escaped ${ stays literal text',
    flowOf([
      make,
      { id: 'n', task: 'notify', input: { channel: 'ops', message: 'cost: $${price}' } },
    ]),
  ],
]

describe('valid edge cases', () => {
  test.each(cases)('%s', (_name, doc) => {
    expectValid(doc)
  })

  test('task references are pinned to the version resolved', () => {
    const result = expectValid(flowOf([make, { id: 'b', task: 'ship', input: shipOk }]))
    expect(result.compiled.document.steps.map((s) => ('task' in s ? s.task : s.id))).toEqual([
      'make-order@1',
      'ship@2',
    ])
  })

  test('a dynamic value is accepted with a warning that names it', () => {
    const result = expectValid(
      flowOf([
        { id: 'e', task: 'echo', input: {} },
        { id: 'p', task: 'pay', input: { amount: 1, currency: '${steps.e.output.currency}' } },
      ]),
    )
    expect(result.warnings.length).toBeGreaterThan(0)
    for (const warning of result.warnings) {
      expect(warning).toMatchObject({ pointer: '/steps/1/input/currency', code: 'dynamic_value' })
      expect(warning.message).toContain('only known at run time')
    }
  })

  test('a disabled timeout is warned about', () => {
    const result = expectValid(flowOf([{ ...make, timeoutMs: 0 }]))
    expect(result.warnings).toEqual([
      expect.objectContaining({ pointer: '/steps/0/timeoutMs', code: 'timeout_disabled' }),
    ])
  })
})
