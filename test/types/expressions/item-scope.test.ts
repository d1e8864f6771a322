/**
 * A for-each step's item input sees `item` (typed as the list's elements) and
 * `index` (an int) besides input, steps and run: typed at the check, a plain
 * path to an absent optional property leaves its key out, and outside such an
 * input neither name exists.
 */
import { describe, expect, test } from 'vitest'
import { templateSchema } from '../../../types/expressions/template-schema.js'
import {
  compileTemplate,
  ExpressionScope,
  evaluateTemplate,
  FlowEnvironment,
  type JsonValue,
  rooted,
} from '../../../types/index.js'

const base = new FlowEnvironment(
  rooted({
    type: 'object',
    required: ['region'],
    properties: { region: { enum: ['EU', 'US'] } },
  }),
  [],
)
const itemSchema = rooted({
  type: 'object',
  required: ['sku', 'qty'],
  properties: {
    sku: { type: 'string', minLength: 1 },
    qty: { type: 'integer', minimum: 1, maximum: 99 },
    note: { type: 'string' },
  },
})
const fenv = base.withItem(itemSchema)
const values = {
  input: { region: 'EU' },
  steps: {},
  run: { id: 'r', flow: 'f', version: 1, attempt: 1 },
}

function evaluate(template: JsonValue, item: JsonValue, index: number): JsonValue | undefined {
  const compiled = compileTemplate(fenv, template, '/steps/0/input')
  expect(compiled.problems).toEqual([])
  const scope = new ExpressionScope(base, values).forItem(fenv, item, index)
  return evaluateTemplate(compiled.template as never, scope)
}

describe('item and index', () => {
  test('evaluate with the item and its position, beside the flow input', () => {
    const template = {
      sku: '${item.sku}',
      line: '${index + 1}',
      double: '${item.qty * 2}',
      region: '${input.region}',
      note: '${item.note}',
      label: '#${index}: ${item.sku}',
    }
    expect(evaluate(template, { sku: 'book', qty: 3 }, 0)).toEqual({
      sku: 'book',
      line: 1,
      double: 6,
      region: 'EU',
      label: '#0: book',
    })
    expect(evaluate(template, { sku: 'pen', qty: 1, note: 'gift' }, 4)).toMatchObject({
      line: 5,
      note: 'gift',
    })
  })

  test('are typed: fields the elements have, an int index, a plain optional path that may be absent', () => {
    const compiled = compileTemplate(
      fenv,
      { sku: '${item.sku}', at: '${index}', note: '${item.note}' },
      '/t',
    )
    expect(compiled.problems).toEqual([])
    const typed = templateSchema(compiled.template as never, '/t', fenv, {
      messages: fenv.shapes.messages,
      stepAvailable: () => false,
    })
    expect(typed.type.schema.schema).toEqual({
      type: 'object',
      properties: {
        sku: { type: 'string', minLength: 1 },
        at: { type: 'integer', minimum: 0, maximum: 2147483647 },
        note: { type: 'string' },
      },
      required: ['sku', 'at'],
      additionalProperties: false,
    })
    const wrong = compileTemplate(fenv, '${item.skus}', '/t')
    expect(wrong.problems.map((p) => [p.code, p.message])).toEqual([
      ['expression_type', 'no field "skus" in item (fields: sku, qty, note) — in "item.skus"'],
    ])
  })

  test('outside an item input, neither name exists', () => {
    const outside = compileTemplate(base, '${item.sku}', '/output')
    expect(outside.problems.map((p) => p.message)).toEqual([
      'unknown name "item": expressions can use input, steps.<id>.output, steps.<id>.error and run — in "item.sku"',
    ])
    const inside = compileTemplate(fenv, '${nope}', '/t')
    expect(inside.problems.map((p) => p.message)).toEqual([
      'unknown name "nope": expressions can use input, steps.<id>.output, steps.<id>.error and run, and here item and index — in "nope"',
    ])
  })
})
