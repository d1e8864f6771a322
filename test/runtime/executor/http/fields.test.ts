/** `wasi:http/types#fields` as the sandbox implements it: checked names and values, immutability. */
import { expect, test } from 'vitest'
import { Fields } from '../../../../runtime/executor/sandbox/http/fields.js'

const bytes = (text: string) => new TextEncoder().encode(text)

test('names compare case-insensitively and keep their order', () => {
  const fields = Fields.fromList([
    ['Accept', bytes('a')],
    ['x-id', bytes('1')],
    ['accept', bytes('b')],
  ])
  expect(fields.get('ACCEPT')).toEqual([bytes('a'), bytes('b')])
  expect(fields.has('X-Id')).toBe(true)
  fields.set('accept', [bytes('c')])
  expect(fields.entries()).toEqual([
    ['x-id', bytes('1')],
    ['accept', bytes('c')],
  ])
  fields.delete('X-ID')
  expect(fields.entries()).toEqual([['accept', bytes('c')]])
})

test.each([
  ['bad name', 'x y', 'v', { tag: 'invalid-syntax' }],
  ['CR LF in a value', 'x-a', 'v\r\nInjected: 1', { tag: 'invalid-syntax' }],
  ['host', 'Host', 'evil.example', { tag: 'forbidden' }],
  ['connection', 'connection', 'close', { tag: 'forbidden' }],
  ['transfer-encoding', 'Transfer-Encoding', 'chunked', { tag: 'forbidden' }],
])('%s is refused', (_what, name, value, error) => {
  expect(() => Fields.fromList([[name, bytes(value)]])).toThrow(
    expect.objectContaining(error) as unknown as Error,
  )
})

test('frozen fields refuse changes; a clone may change', () => {
  const fields = Fields.freeze(Fields.fromList([['x-a', bytes('1')]]))
  expect(() => fields.append('x-b', bytes('2'))).toThrow(
    expect.objectContaining({ tag: 'immutable' }) as unknown as Error,
  )
  const clone = fields.clone()
  clone.append('x-b', bytes('2'))
  expect(clone.entries()).toHaveLength(2)
  expect(fields.entries()).toHaveLength(1)
})
