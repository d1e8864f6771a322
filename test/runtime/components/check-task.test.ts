/**
 * Publishing a task against its component: signature mismatches, types with no
 * JSON form, imports the sandbox does not provide, and bad components, each
 * with the place and the words of its message.
 */
import { beforeAll, describe, expect, test } from 'vitest'
import { checkTaskComponent } from '../../../runtime/components/check-task.js'
import type { TaskDocument, ValueSchema } from '../../../types/index.js'
import { dummyComponent } from '../../fixtures/wat-components.js'

const wit = `package test:sig@0.1.0;
interface handles {
  resource blob;
  open: func(name: string) -> blob;
}
world sig {
  record item { sku: string, unit-price: f64, note: option<string> }
  enum color { red, dark-green }
  flags perms { read, write-all }
  variant shape { circle(f32), square(u16), none }
  export small: func(n: u8) -> u32;
  export pair: func(a: u32, b: u32) -> item;
  export one: func(it: item) -> result<item, color>;
  export pick: func(c: color) -> option<string>;
  export shaped: func(s: shape) -> shape;
  export tupled: func(t: tuple<string, u8>) -> tuple<string, u8>;
  export flagged: func(p: perms) -> perms;
  export bytes: func(data: list<u8>) -> list<u8>;
  export letter: func(c: char) -> char;
  export wide: func(a: u64, b: s64) -> u64;
  export streamed: func(s: stream<u8>) -> u32;
  export later: func() -> future<u32>;
  export twice: func(o: option<option<u32>>) -> u32;
  export handles;
}`

let sig: Uint8Array

beforeAll(async () => {
  sig = await dummyComponent(wit, 'sig')
})

const item: ValueSchema = {
  type: 'object',
  required: ['sku', 'unitPrice'],
  properties: { sku: { type: 'string' }, unitPrice: { type: 'number' }, note: { type: 'string' } },
}

type Case = [string, Partial<TaskDocument>, { pointer: string; words: string[] }[]]

const mismatches: Case[] = [
  [
    'unbounded integer into u8',
    {
      export: 'small',
      input: { type: 'object', required: ['n'], properties: { n: { type: 'integer' } } },
    },
    [
      {
        pointer: '/input',
        words: [
          'small: parameters at /n',
          'expected integer in [0, 255]',
          'found integer (unbounded)',
        ],
      },
    ],
  ],
  [
    'number into an integer parameter',
    {
      export: 'small',
      input: { type: 'object', required: ['n'], properties: { n: { type: 'number' } } },
    },
    [{ pointer: '/input', words: ['at /n', 'expected integer in [0, 255], found number'] }],
  ],
  [
    'a parameter the declared input may leave out',
    {
      export: 'pair',
      input: {
        type: 'object',
        required: ['a'],
        properties: {
          a: { type: 'integer', minimum: 0, maximum: 9 },
          b: { type: 'integer', minimum: 0, maximum: 9 },
        },
      },
    },
    [
      {
        pointer: '/input',
        words: ['pair: parameters at /b', 'property "b" is required but may be absent'],
      },
    ],
  ],
  [
    'a parameter the declared input does not have',
    {
      export: 'pair',
      input: {
        type: 'object',
        required: ['a'],
        properties: { a: { type: 'integer', minimum: 0, maximum: 9 } },
      },
    },
    [{ pointer: '/input', words: ['at /b', 'property "b" is required but is missing'] }],
  ],
  [
    'a record field declared in snake_case',
    {
      export: 'one',
      input: {
        type: 'object',
        required: ['sku', 'unit_price'],
        properties: { sku: { type: 'string' }, unit_price: { type: 'number' } },
      },
    },
    [
      {
        pointer: '/input',
        words: ['at /unitPrice', 'property "unitPrice" is required but is missing'],
      },
    ],
  ],
  [
    'a string into an enum parameter',
    {
      export: 'pick',
      input: { type: 'object', required: ['c'], properties: { c: { type: 'string' } } },
    },
    [{ pointer: '/input', words: ['at /c', 'expected "red" | "dark-green", found string'] }],
  ],
  [
    'an enum case the component does not have',
    {
      export: 'pick',
      input: { type: 'object', required: ['c'], properties: { c: { enum: ['red', 'blue'] } } },
    },
    [{ pointer: '/input', words: ['at /c', 'expected "red" | "dark-green", found "blue"'] }],
  ],
  [
    'a declared output property the result lacks',
    {
      export: 'pair',
      output: {
        ...item,
        required: ['sku', 'unitPrice', 'tax'],
        properties: { ...item.properties, tax: { type: 'number' as const } },
      },
    },
    [
      {
        pointer: '/output',
        words: ['pair: result at /tax', 'property "tax" is required but is missing'],
      },
    ],
  ],
  [
    'a declared output of another type',
    { export: 'small', output: { type: 'string' } },
    [{ pointer: '/output', words: ['small: result', 'expected string, found integer'] }],
  ],
  [
    'an optional result declared as always present',
    { export: 'pick', output: { type: 'string' } },
    [{ pointer: '/output', words: ['pick: result', 'expected string, found null'] }],
  ],
  [
    'an option field declared as required output',
    { export: 'pair', output: { ...item, required: ['sku', 'unitPrice', 'note'] } },
    [{ pointer: '/output', words: ['at /note', 'property "note" is required but may be absent'] }],
  ],
  [
    'an error payload declared as another type',
    { export: 'one', error: { type: 'integer' } },
    [
      {
        pointer: '/error',
        words: ['one: error payload', 'expected integer, found "red" | "dark-green"'],
      },
    ],
  ],
  [
    'a variant case the component does not have',
    {
      export: 'shaped',
      input: {
        type: 'object',
        required: ['s'],
        properties: {
          s: {
            oneOf: [
              { type: 'object', required: ['tag'], properties: { tag: { const: 'none' } } },
              {
                type: 'object',
                required: ['tag', 'val'],
                properties: { tag: { const: 'hexagon' }, val: { type: 'number' } },
              },
            ],
          },
        },
      },
    },
    [
      {
        pointer: '/input',
        words: [
          'at /s',
          'expected object { tag: "circle", val } | object { tag: "square", val } | object { tag: "none" }',
          'found object { tag: "hexagon", val }',
        ],
      },
    ],
  ],
  [
    'a tuple item of the wrong type',
    {
      export: 'tupled',
      input: {
        type: 'object',
        required: ['t'],
        properties: { t: { type: 'array', items: { type: 'string' }, minItems: 2, maxItems: 2 } },
      },
    },
    [{ pointer: '/input', words: ['at /t/1', 'expected integer in [0, 255], found string'] }],
  ],
  [
    'a flag the component does not have',
    {
      export: 'flagged',
      input: {
        type: 'object',
        required: ['p'],
        properties: {
          p: {
            type: 'object',
            properties: { read: { type: 'boolean' }, execute: { type: 'boolean' } },
          },
        },
      },
    },
    [{ pointer: '/input', words: ['at /p/execute', 'property "execute" is not allowed'] }],
  ],
  [
    'a string of any length into a char',
    {
      export: 'letter',
      input: { type: 'object', required: ['c'], properties: { c: { type: 'string' } } },
    },
    [
      {
        pointer: '/input',
        words: ['at /c', 'expected string of length ≥ 1, found string of length ≥ 0'],
      },
      { pointer: '/input', words: ['at /c', 'expected string of length ≤ 1'] },
    ],
  ],
  [
    'list<u8> not declared as base64',
    {
      export: 'bytes',
      input: {
        type: 'object',
        required: ['data'],
        properties: {
          data: { type: 'array', items: { type: 'integer', minimum: 0, maximum: 255 } },
        },
      },
    },
    [
      {
        pointer: '/input',
        words: ['bytes: parameters at /data is list<u8>', 'contentEncoding', 'base64'],
      },
    ],
  ],
  [
    'a stream parameter',
    { export: 'streamed' },
    [
      {
        pointer: '/export',
        words: ['streamed: parameters at /s', 'stream<u8>', 'cannot be passed as JSON'],
      },
    ],
  ],
  [
    'a future result',
    { export: 'later' },
    [{ pointer: '/output', words: ['later: result', 'future<u32>', 'cannot be passed as JSON'] }],
  ],
  [
    'an option of an option',
    { export: 'twice' },
    [{ pointer: '/export', words: ['at /o', 'option<option<u32>>', 'no unambiguous JSON form'] }],
  ],
  [
    'a resource result',
    { export: 'test:sig/handles@0.1.0#open' },
    [{ pointer: '/output', words: ['result', 'resource "blob" is a handle, not a value'] }],
  ],
  [
    'an export that does not exist',
    { export: 'nope' },
    [{ pointer: '/export', words: ['the component exports no function "nope"', 'small, pair'] }],
  ],
  [
    'a component address that does not match the bytes',
    { export: 'small', component: `sha256:${'0'.repeat(64)}` },
    [
      {
        pointer: '/component',
        words: ['names component sha256:000', 'but the bytes given are sha256:'],
      },
    ],
  ],
]

describe('checkTaskComponent', () => {
  test.each(mismatches)('%s', (_name, declared, expected) => {
    const result = checkTaskComponent({ name: 'task', ...declared }, sig)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problems.map((p) => p.pointer)).toEqual(expected.map((e) => e.pointer))
    for (const [i, e] of expected.entries())
      for (const w of e.words) expect(result.problems[i]?.message).toContain(w)
  })

  test('without declared schemas the derived ones are stored', () => {
    const result = checkTaskComponent({ name: 'task', export: 'pair' }, sig)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.task.input).toEqual({
      type: 'object',
      properties: {
        a: { type: 'integer', minimum: 0, maximum: 4294967295 },
        b: { type: 'integer', minimum: 0, maximum: 4294967295 },
      },
      required: ['a', 'b'],
    })
    expect(result.task.output).toEqual({
      type: 'object',
      properties: {
        sku: { type: 'string' },
        unitPrice: { type: 'number' },
        note: { type: 'string' },
      },
      required: ['sku', 'unitPrice'],
    })
    expect(result.task.error).toEqual({ type: 'null' })
    expect(result.task.component).toMatch(/^sha256:[0-9a-f]{64}$/)
  })

  test('a result<T, E> maps to output T and error payload E', () => {
    const result = checkTaskComponent({ name: 'task', export: 'one', input: item }, sig)
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect(result.task.error).toEqual({ enum: ['red', 'dark-green'] })
    expect(result.binding.inputMode).toBe('record')
  })

  test('a single record parameter may also be wrapped in its parameter name', () => {
    const result = checkTaskComponent(
      {
        name: 'task',
        export: 'one',
        input: { type: 'object', required: ['it'], properties: { it: item } },
      },
      sig,
    )
    expect(result.ok && result.binding.inputMode).toBe('params')
  })

  test('64-bit integers take JSON safe integers', () => {
    const input: ValueSchema = {
      type: 'object',
      required: ['a', 'b'],
      properties: { a: { type: 'integer', minimum: 0 }, b: { type: 'integer' } },
    }
    expect(checkTaskComponent({ name: 'task', export: 'wide', input }, sig).ok).toBe(true)
  })

  test('a base64 string is the purposeful mapping of list<u8>', () => {
    const data: ValueSchema = { type: 'string', contentEncoding: 'base64' }
    const result = checkTaskComponent(
      {
        name: 'task',
        export: 'bytes',
        input: { type: 'object', required: ['data'], properties: { data } },
        output: data,
      },
      sig,
    )
    expect(result.ok).toBe(true)
  })

  test('a declared output narrower than WIT can say is accepted with a warning', () => {
    const result = checkTaskComponent(
      { name: 'task', export: 'small', output: { type: 'integer', minimum: 0, maximum: 100 } },
      sig,
    )
    expect(result.ok).toBe(true)
    expect(result.warnings.map((w) => w.message)).toEqual([
      'small: result: the declared integer in [0, 100] is narrower than the WIT type (integer in [0, 4294967295]); it is checked after every call',
    ])
  })

  test('no warning when the WIT type is the one weir generates from the declared schema', () => {
    // [0, 100000] is generated as u32: the component's u32 says no less than the schema, as weir chose it.
    const generated = checkTaskComponent(
      { name: 'task', export: 'small', output: { type: 'integer', minimum: 0, maximum: 100000 } },
      sig,
    )
    expect([generated.ok, generated.warnings]).toEqual([true, []])
    const record = checkTaskComponent(
      {
        name: 'task',
        export: 'pair',
        input: {
          type: 'object',
          required: ['a', 'b'],
          properties: {
            a: { type: 'integer', minimum: 0, maximum: 9 },
            b: { type: 'integer', minimum: 0, maximum: 9 },
          },
        },
        output: {
          type: 'object',
          required: ['sku', 'unitPrice'],
          properties: {
            sku: { type: 'string', maxLength: 20 },
            unitPrice: { type: 'number', minimum: 0 },
            note: { type: 'string' },
          },
        },
      },
      sig,
    )
    expect([record.ok, record.warnings]).toEqual([true, []])
  })

  test("an async task's component result is what it sends; output is the callback's, kept as declared", () => {
    const callbackOutput: ValueSchema = {
      type: 'object',
      required: ['ok'],
      properties: { ok: { type: 'boolean' } },
    }
    const result = checkTaskComponent(
      { name: 'ask', export: 'small', mode: 'async', output: callbackOutput },
      sig,
    )
    expect(result.ok).toBe(true)
    if (!result.ok) return
    expect([result.task.sends, result.task.output]).toEqual([
      { type: 'integer', minimum: 0, maximum: 4294967295 },
      callbackOutput,
    ])
    const wrong = checkTaskComponent(
      { name: 'ask', export: 'small', mode: 'async', sends: { type: 'string' } },
      sig,
    )
    expect(wrong.ok ? [] : wrong.problems.map((p) => p.pointer)).toEqual(['/sends'])
  })
})
