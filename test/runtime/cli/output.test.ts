/** The CLI's printing helpers: counted nouns, and a failed request's lines (each problem once). */
import { expect, test } from 'vitest'
import { ApiError } from '../../../runtime/cli/client.js'
import { count, problemLines } from '../../../runtime/cli/output.js'

test.each([
  [0, 'unfinished run', '0 unfinished runs'],
  [1, 'unfinished run', '1 unfinished run'],
  [2, 'unfinished run', '2 unfinished runs'],
  [1, 'step', '1 step'],
])('count(%i, %s) is "%s"', (n, noun, text) => {
  expect(count(n, noun)).toBe(text)
})

test('a problem without items is its detail', () => {
  const error = new ApiError(404, { title: 'Not found', detail: 'run X does not exist' })
  expect(problemLines(error)).toEqual(['error: run X does not exist (HTTP 404)'])
})

test('a problem with items says its title, then each item with its place, once', () => {
  const error = new ApiError(422, {
    title: 'Invalid document',
    detail: 'the input: /n: must be >= 0',
    errors: [
      { pointer: '/n', message: 'must be >= 0' },
      { pointer: '', message: 'must not have "extra"' },
      { parameter: 'wait', message: 'expected a number <= 300000, found 400000' },
    ],
  })
  expect(problemLines(error)).toEqual([
    'error: Invalid document (HTTP 422)',
    '  /n: must be >= 0',
    '  /: must not have "extra"',
    '  parameter wait: expected a number <= 300000, found 400000',
  ])
})
