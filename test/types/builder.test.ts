/** The typed flow builder produces documents the checker accepts, and its types catch mistakes. */
import { describe, expect, test } from 'vitest'
import { flow, subflow, task } from '../../types/index.js'
import { expectValid } from './checker/helpers.js'

interface Order {
  id: string
  total: number
  count: number
  tags: string[]
  note?: string
  status: 'new' | 'paid'
}

const makeOrder = task<Record<string, never>, Order>('make-order', 1)
const ship = task<{ id: string; count: number; note?: string }, { trackingId: string }>('ship', 2)
const pay = task<{ amount: number; currency: 'EUR' | 'USD' }, { ok: boolean }>('pay')

describe('flow builder', () => {
  test('builds a document with typed references, edges and output', () => {
    const doc = flow('ship-it')
      .describe('make, then ship or pay')
      .input<{ id: string; n: number }>({
        type: 'object',
        required: ['id', 'n'],
        properties: { id: { type: 'string' }, n: { type: 'integer', minimum: 0, maximum: 10 } },
      })
      .step('a', makeOrder, { input: {} })
      .branch([{ if: ($) => `${$.steps.a.output.count} > 50`, goto: 'p' }, { else: 'b' }])
      .step('b', ship, {
        input: ($) => ({ id: $.steps.a.output.id, count: $.steps.a.output.count }),
      })
      .next('end')
      .step('p', pay, {
        input: ($) => ({ amount: $.steps.a.output.total, currency: 'EUR' }),
        retry: { maximumAttempts: 2 },
      })
      .output(($) => ({ order: $.steps.a.output.id, run: $.run.id }))
      .toJSON()

    expect(doc).toEqual({
      name: 'ship-it',
      description: 'make, then ship or pay',
      input: {
        type: 'object',
        required: ['id', 'n'],
        properties: { id: { type: 'string' }, n: { type: 'integer', minimum: 0, maximum: 10 } },
      },
      steps: [
        {
          id: 'a',
          task: 'make-order@1',
          input: {},
          next: [{ if: 'steps.a.output.count > 50', goto: 'p' }, { else: 'b' }],
        },
        {
          id: 'b',
          task: 'ship@2',
          input: { id: '${steps.a.output.id}', count: '${steps.a.output.count}' },
          next: 'end',
        },
        {
          id: 'p',
          task: 'pay',
          input: { amount: '${steps.a.output.total}', currency: 'EUR' },
          retry: { maximumAttempts: 2 },
        },
      ],
      output: { order: '${steps.a.output.id}', run: '${run.id}' },
    })
    expectValid(doc)
  })

  test('sleep and waitFor steps', () => {
    const doc = flow('waits')
      .sleep('pause', 'PT1M')
      .waitFor('ok', 'approved', { timeoutMs: 1000 })
      .toJSON()
    expect(doc.steps).toEqual([
      { id: 'pause', sleep: 'PT1M' },
      { id: 'ok', waitFor: 'approved', timeoutMs: 1000 },
    ])
  })

  test('sub-flow, set and fail steps, typed through to the checker', () => {
    const billing = subflow<
      { amount: number; currency: 'EUR' | 'USD' },
      { receipt: string; total: number }
    >('billing', 2)
    const doc = flow('composed')
      .input<{ id: string; n: number }>({
        type: 'object',
        required: ['id', 'n'],
        properties: { id: { type: 'string' }, n: { type: 'integer', minimum: 0, maximum: 10 } },
      })
      .step('bill', billing, {
        input: ($) => ({ amount: $.input.n, currency: 'EUR' }),
        retry: { maximumAttempts: 2 },
        onError: 'refuse',
      })
      .set<'summary', { receipt: string }>('summary', ($) => ({
        receipt: $.steps.bill.output.receipt,
      }))
      .next('end')
      .fail('refuse', ($) => `order ${$.input.id} was not billed`, { code: 'unbilled' })
      .toJSON()
    expect(doc.steps).toEqual([
      {
        id: 'bill',
        flow: 'billing@2',
        input: { amount: '${input.n}', currency: 'EUR' },
        retry: { maximumAttempts: 2 },
        onError: 'refuse',
      },
      { id: 'summary', set: { receipt: '${steps.bill.output.receipt}' }, next: 'end' },
      { id: 'refuse', fail: { message: 'order ${input.id} was not billed', code: 'unbilled' } },
    ])
    expectValid(doc)
    expect(() => flow('f').fail('no', 'stop').next('end')).toThrow(
      'fail step "no" has no edges: it never succeeds',
    )
  })

  test('a parallel step: one property per branch, typed by its call', () => {
    const billing = subflow<{ amount: number; currency: 'EUR' | 'USD' }, { receipt: string }>(
      'billing',
      2,
    )
    const doc = flow('both')
      .input<{ id: string; n: number }>({
        type: 'object',
        required: ['id', 'n'],
        properties: { id: { type: 'string' }, n: { type: 'integer', minimum: 0, maximum: 10 } },
      })
      .parallel('q', {
        ship: {
          call: task<{ id: string }, { trackingId: string }>('ship', 1),
          input: ($) => ({ id: $.input.id }),
        },
        bill: {
          call: billing,
          input: ($) => ({ amount: $.input.n, currency: 'EUR' }),
          retry: { maximumAttempts: 2 },
        },
      })
      .output(($) => ({
        tracking: $.steps.q.output.ship.trackingId,
        receipt: $.steps.q.output.bill.receipt,
      }))
      .toJSON()
    expect(doc.steps).toEqual([
      {
        id: 'q',
        parallel: {
          ship: { task: 'ship@1', input: { id: '${input.id}' } },
          bill: {
            flow: 'billing@2',
            input: { amount: '${input.n}', currency: 'EUR' },
            retry: { maximumAttempts: 2 },
          },
        },
      },
    ])
    expectValid(doc)
  })

  test("a compensation: its call, input (which may read the step's own output), retry and timeout", () => {
    const doc = flow('undoable')
      .input<{ id: string }>({
        type: 'object',
        required: ['id'],
        properties: { id: { type: 'string' } },
      })
      .step('s', task<{ id: string }, { trackingId: string }>('ship', 1), {
        input: ($) => ({ id: $.input.id }),
        compensate: {
          call: task<{ id: string }, { trackingId: string }>('ship', 1),
          input: ($) => ({ id: $.steps.s.output.trackingId }),
          retry: { maximumAttempts: 3 },
          timeoutMs: 500,
        },
      })
      .toJSON()
    expect(doc.steps).toEqual([
      {
        id: 's',
        task: 'ship@1',
        input: { id: '${input.id}' },
        compensate: {
          task: 'ship@1',
          input: { id: '${steps.s.output.trackingId}' },
          retry: { maximumAttempts: 3 },
          timeoutMs: 500,
        },
      },
    ])
    expectValid(doc)
  })

  test('edges need a step to attach to', () => {
    expect(() => flow('empty').next('end')).toThrow('add a step before setting its edges')
  })

  test('templates are typed by the task input', () => {
    const base = flow('typed').step('a', makeOrder, { input: {} })
    // @ts-expect-error a number reference where the task wants a string
    base.step('b', ship, { input: ($) => ({ id: $.steps.a.output.count, count: 1 }) })
    // @ts-expect-error a currency outside the enum
    base.step('p', pay, { input: { amount: 1, currency: 'GBP' } })
    // @ts-expect-error a step that has not been added
    base.step('c', ship, { input: ($) => ({ id: $.steps.zzz.output.id, count: 1 }) })
    expect(base.toJSON().steps).toHaveLength(1)
  })
})
