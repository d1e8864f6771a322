/** References interpolated in JS template strings become `${…}` templates that the checker types. */
import { describe, expect, test } from 'vitest'
import { checkFlow, flow, task } from '../../types/index.js'
import { resolveFixture } from '../fixtures/tasks.js'

const makeOrder = task<Record<string, never>, { id: string; total: number; count: number }>(
  'make-order',
  1,
)
const ship = task<{ id: string; count: number; note?: string }, { trackingId: string }>('ship', 2)
const pay = task<{ amount: number; currency: 'EUR' | 'USD' }, { ok: boolean }>('pay')

describe('template strings in the builder', () => {
  test('a reference in a JS template string becomes a ${…} template, and the flow checks', () => {
    const doc = flow('notes')
      .input<{ paymentId: string }>({
        type: 'object',
        required: ['paymentId'],
        properties: { paymentId: { type: 'string' } },
      })
      .step('a', makeOrder, { input: {} })
      .step('b', ship, {
        input: ($) => ({
          id: $.steps.a.output.id,
          count: $.steps.a.output.count,
          note: `blocked ${$.input.paymentId} (${$.steps.a.output.count} items)`,
        }),
      })
      .output(($) => ({ summary: `order ${$.steps.a.output.id} by ${$.run.id}` }))
      .toJSON()
    expect(doc.steps[1]).toEqual({
      id: 'b',
      task: 'ship@2',
      input: {
        id: '${steps.a.output.id}',
        count: '${steps.a.output.count}',
        note: 'blocked ${input.paymentId} (${steps.a.output.count} items)',
      },
    })
    expect(doc.output).toEqual({ summary: 'order ${steps.a.output.id} by ${run.id}' })
    const result = checkFlow(doc, resolveFixture)
    expect(result.ok ? [] : result.problems).toEqual([])
  })

  test('a condition keeps bare CEL paths', () => {
    const doc = flow('cond')
      .step('a', makeOrder, { input: {} })
      .branch([{ if: ($) => `${$.steps.a.output.total} > 100.0`, goto: 'end' }, { else: 'end' }])
      .toJSON()
    expect(doc.steps[0] && 'next' in doc.steps[0] ? doc.steps[0].next : undefined).toEqual([
      { if: 'steps.a.output.total > 100.0', goto: 'end' },
      { else: 'end' },
    ])
  })

  test('a template string where the task wants a number: a TS error, and a type mismatch at check time', () => {
    const doc = flow('mismatch')
      .step('a', makeOrder, { input: {} })
      .step('p', pay, {
        // @ts-expect-error text around a reference makes a string, and the task wants a number
        input: ($) => ({ amount: `${$.steps.a.output.total} EUR`, currency: 'EUR' }),
      })
      .toJSON()
    expect(doc.steps[1]).toMatchObject({ input: { amount: '${steps.a.output.total} EUR' } })
    const result = checkFlow(doc, resolveFixture)
    expect(
      result.ok ? [] : result.problems.map(({ pointer, code }) => ({ pointer, code })),
    ).toEqual([{ pointer: '/steps/1/input/amount', code: 'type_mismatch' }])
  })
})
