/** The WIT world a JavaScript task is built against, written from its declared schemas. */
import { describe, expect, test } from 'vitest'
import { kebabLabel, worldForTask } from '../../../runtime/components/schema-to-wit.js'

describe('worldForTask', () => {
  test('records, enums, lists, options, integer widths and $defs', () => {
    const { wit, problems } = worldForTask({
      name: 'price',
      input: {
        type: 'object',
        required: ['items', 'region', 'count', 'offset', 'big'],
        properties: {
          items: { type: 'array', items: { $ref: '#/$defs/lineItem' } },
          region: { enum: ['EU', 'us-east'] },
          count: { type: 'integer', minimum: 0, maximum: 255 },
          offset: { type: 'integer', minimum: -40000, maximum: 40000 },
          big: { type: 'integer' },
          note: { type: ['string', 'null'] },
          pair: { type: 'array', prefixItems: [{ type: 'string' }, { type: 'boolean' }] },
        },
        $defs: {
          lineItem: {
            type: 'object',
            required: ['unitPrice'],
            properties: { unitPrice: { type: 'number' }, sku: { type: 'string' } },
          },
        },
      },
      output: {
        type: 'object',
        required: ['total'],
        properties: { total: { type: 'number', minimum: 0 } },
      },
    })
    expect(problems).toEqual([])
    expect(wit).toBe(`package weir:task;

world task {
  record line-item { unit-price: f64, sku: option<string> }
  enum input-region { EU, us-east }
  record input { items: list<line-item>, region: input-region, count: u8, offset: s32, big: s64, note: option<string>, pair: option<tuple<string, bool>> }
  record output { total: f64 }
  export run: func(input: input) -> result<output, string>;
}
`)
  })

  test('a task without input and with an error schema', () => {
    const { wit } = worldForTask({
      name: 'tick',
      output: { type: 'string' },
      error: { enum: ['busy', 'gone'] },
    })
    expect(wit).toContain('enum error { busy, gone }')
    expect(wit).toContain('export run: func() -> result<string, error>;')
  })

  test.each([
    [
      'a union',
      { type: 'object', properties: { a: { oneOf: [{ type: 'string' }, { type: 'integer' }] } } },
      '/input/properties/a',
      'unions are not supported',
    ],
    [
      'a map',
      {
        type: 'object',
        properties: { tags: { type: 'object', additionalProperties: { type: 'string' } } },
      },
      '/input/properties/tags',
      'maps are not supported',
    ],
    [
      'an enum of numbers',
      { type: 'object', properties: { level: { enum: [1, 2] } } },
      '/input/properties/level',
      'kebab-case or UPPERCASE strings',
    ],
    [
      'a property name jco cannot round-trip',
      { type: 'object', properties: { unit_price: { type: 'number' } } },
      '/input/properties/unit_price',
      'use lowerCamelCase',
    ],
    [
      'an array without items',
      { type: 'object', properties: { list: { type: 'array' } } },
      '/input/properties/list',
      'needs "items"',
    ],
    [
      'a value without a type',
      { type: 'object', properties: { any: {} } },
      '/input/properties/any',
      'needs a "type"',
    ],
  ])('reports %s', (_name, input, pointer, words) => {
    const { problems } = worldForTask({ name: 't', input: input as never })
    expect(problems.map((p) => p.pointer)).toEqual([pointer])
    expect(problems[0]?.message).toContain(words)
  })

  test.each([
    ['unitPrice', 'unit-price'],
    ['id', 'id'],
    ['x2', 'x2'],
    ['unit_price', undefined],
    ['HTTPCode', undefined],
  ])('kebabLabel(%s) is %s', (property, label) => {
    expect(kebabLabel(property)).toBe(label)
  })
})
