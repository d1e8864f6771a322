/** The compatibility relation between value schemas, case by case. */
import { describe, expect, test } from 'vitest'
import { isAssignable, type ValueSchema } from '../../../types/index.js'

const u8: ValueSchema = { type: 'integer', minimum: 0, maximum: 255 }
const obj = (
  properties: Record<string, ValueSchema>,
  required: string[] = [],
  extra: Partial<ValueSchema> = {},
): ValueSchema => ({
  type: 'object',
  properties,
  required,
  ...extra,
})

const assignable: [string, ValueSchema, ValueSchema][] = [
  ['anything into an unconstrained target', { type: 'string' }, {}],
  ['integer into number', { type: 'integer' }, { type: 'number' }],
  ['narrower integer range into a wider one', { type: 'integer', minimum: 1, maximum: 10 }, u8],
  [
    'exclusive bounds that round into the range',
    { type: 'integer', exclusiveMinimum: -1, exclusiveMaximum: 256 },
    u8,
  ],
  ['constant into its type', { const: 7 }, u8],
  ['enum subset into enum', { enum: ['a'] }, { enum: ['a', 'b'] }],
  ['boolean into an enum of both booleans', { type: 'boolean' }, { enum: [true, false] }],
  ['null into a nullable type', { type: 'null' }, { type: ['string', 'null'] }],
  [
    'required property into an optional one',
    obj({ a: { type: 'string' } }, ['a']),
    obj({ a: { type: 'string' } }),
  ],
  [
    'extra source property into an open target',
    obj({ a: u8, b: u8 }, ['a']),
    obj({ a: u8 }, ['a']),
  ],
  [
    'variants into a union with matching variants',
    { oneOf: [{ type: 'string' }, u8] },
    { anyOf: [{ type: 'string' }, { type: 'integer' }] },
  ],
  [
    'tagged variant into the union of tags',
    obj({ tag: { const: 'a' }, val: u8 }, ['tag', 'val']),
    {
      oneOf: [
        obj({ tag: { const: 'a' }, val: { type: 'integer' } }, ['tag', 'val']),
        obj({ tag: { const: 'b' } }, ['tag']),
      ],
    },
  ],
  [
    'array of a narrower item type',
    { type: 'array', items: u8 },
    { type: 'array', items: { type: 'number' } },
  ],
  [
    'tuple into a list of a common type',
    { type: 'array', prefixItems: [u8, { const: 3 }], minItems: 2, maxItems: 2 },
    { type: 'array', items: { type: 'integer' }, maxItems: 5 },
  ],
  [
    'string with the same pattern',
    { type: 'string', pattern: '^a' },
    { type: 'string', pattern: '^a' },
  ],
  [
    'string lengths inside the target lengths',
    { type: 'string', minLength: 2, maxLength: 3 },
    { type: 'string', minLength: 1, maxLength: 9 },
  ],
  [
    'multiple of a multiple',
    { type: 'integer', multipleOf: 4 },
    { type: 'integer', multipleOf: 2 },
  ],
  [
    'recursive schemas',
    { $ref: '#/$defs/node', $defs: { node: obj({ next: { $ref: '#/$defs/node' } }) } },
    { $ref: '#/$defs/tree', $defs: { tree: obj({ next: { $ref: '#/$defs/tree' } }) } },
  ],
  [
    'map values into a map of a wider type',
    { type: 'object', additionalProperties: u8 },
    { type: 'object', additionalProperties: { type: 'number' } },
  ],
]

const mismatched: [
  string,
  ValueSchema,
  ValueSchema,
  { path: string; expected: string; found: string }[],
][] = [
  [
    'number into integer',
    { type: 'number' },
    { type: 'integer' },
    [{ path: '', expected: 'integer', found: 'number' }],
  ],
  [
    'unbounded integer into u8',
    { type: 'integer' },
    u8,
    [{ path: '', expected: 'integer in [0, 255]', found: 'integer (unbounded)' }],
  ],
  [
    'range that reaches past the target',
    { type: 'integer', minimum: 0, maximum: 256 },
    u8,
    [{ path: '', expected: 'integer in [0, 255]', found: 'integer in [0, 256]' }],
  ],
  [
    'exclusive bound at the edge',
    { type: 'number', maximum: 1 },
    { type: 'number', exclusiveMaximum: 1 },
    [{ path: '', expected: 'number < 1', found: 'number ≤ 1' }],
  ],
  [
    'string into enum',
    { type: 'string' },
    { enum: ['a', 'b'] },
    [{ path: '', expected: '"a" | "b"', found: 'string' }],
  ],
  [
    'enum with a value the target lacks',
    { enum: ['a', 'c'] },
    { enum: ['a', 'b'] },
    [{ path: '', expected: '"a" | "b"', found: '"c"' }],
  ],
  [
    'nullable into non-null',
    { type: ['string', 'null'] },
    { type: 'string' },
    [{ path: '', expected: 'string', found: 'null' }],
  ],
  [
    'optional property into a required one',
    obj({ a: u8 }),
    obj({ a: u8 }, ['a']),
    [{ path: '/a', expected: 'required property', found: 'optional property' }],
  ],
  [
    'missing required property',
    obj({}),
    obj({ a: u8 }, ['a']),
    [{ path: '/a', expected: 'required property', found: 'no such property' }],
  ],
  [
    'property into a closed object',
    obj({ a: u8, b: u8 }, ['a', 'b']),
    obj({ a: u8 }, ['a'], { additionalProperties: false }),
    [{ path: '/b', expected: 'no other properties', found: 'property "b"' }],
  ],
  [
    'nested mismatch inside array items',
    { type: 'array', items: obj({ q: { type: 'number' } }, ['q']) },
    { type: 'array', items: obj({ q: u8 }, ['q']) },
    [{ path: '/*/q', expected: 'integer in [0, 255]', found: 'number' }],
  ],
  [
    'tuple element mismatch',
    { type: 'array', prefixItems: [{ type: 'string' }, { type: 'string' }] },
    { type: 'array', prefixItems: [{ type: 'string' }, u8] },
    [{ path: '/1', expected: 'integer in [0, 255]', found: 'string' }],
  ],
  [
    'array too long',
    { type: 'array', items: u8 },
    { type: 'array', items: u8, maxItems: 3 },
    [{ path: '', expected: 'array of at most 3 items', found: 'array of any length' }],
  ],
  [
    'pattern the source does not guarantee',
    { type: 'string' },
    { type: 'string', pattern: '^[a-z]+$' },
    [{ path: '', expected: 'string matching /^[a-z]+$/', found: 'any string' }],
  ],
  [
    'any value into a typed target',
    {},
    { type: 'string' },
    [{ path: '', expected: 'string', found: 'any value' }],
  ],
  [
    'variant that fits no target variant',
    { oneOf: [{ type: 'string' }, { type: 'boolean' }] },
    { anyOf: [{ type: 'string' }, { type: 'integer' }] },
    [{ path: '', expected: 'string | integer', found: 'boolean' }],
  ],
  [
    'tagged variant whose payload does not fit its target variant',
    obj({ tag: { const: 'a' }, val: { type: 'string' } }, ['tag', 'val']),
    {
      oneOf: [
        obj({ tag: { const: 'a' }, val: u8 }, ['tag', 'val']),
        obj({ tag: { const: 'b' } }, ['tag']),
      ],
    },
    [{ path: '/val', expected: 'integer in [0, 255]', found: 'string' }],
  ],
  [
    'uniqueness the source does not promise',
    { type: 'array' },
    { type: 'array', uniqueItems: true },
    [{ path: '', expected: 'array of unique items', found: 'array that may repeat items' }],
  ],
  [
    'multiple of the wrong step',
    { type: 'integer', multipleOf: 3 },
    { type: 'integer', multipleOf: 2 },
    [{ path: '', expected: 'multiple of 2', found: 'multiple of 3' }],
  ],
  [
    'map values into a closed object',
    { type: 'object', additionalProperties: { type: 'string' } },
    { type: 'object', additionalProperties: false },
    [{ path: '/*', expected: 'no other properties', found: 'map of string' }],
  ],
]

describe('isAssignable', () => {
  test.each(assignable)('%s', (_name, from, to) => {
    expect(isAssignable(from, to)).toEqual([])
  })

  test.each(mismatched)('%s', (_name, from, to, expected) => {
    const found = isAssignable(from, to).map(({ path, expected, found }) => ({
      path,
      expected,
      found,
    }))
    expect(found).toEqual(expected)
  })

  test('every mismatch of a value is reported, not only the first', () => {
    const from = obj({ a: { type: 'string' }, b: { type: 'number' } }, ['a'])
    const to = obj({ a: u8, b: u8 }, ['a', 'b'])
    expect(isAssignable(from, to).map((m) => `${m.path}: ${m.message}`)).toEqual([
      '/a: expected integer in [0, 255], found string',
      '/b: property "b" is required but may be absent',
      '/b: expected integer in [0, 255], found number',
    ])
  })
})
