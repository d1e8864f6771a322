/** Log lines of outbound HTTP: what they say, and that query values never appear. */
import { expect, test } from 'vitest'
import {
  maskQuery,
  refusedLine,
  requestLine,
} from '../../../../runtime/executor/sandbox/http/log-line.js'

test.each([
  ['/items', '/items'],
  ['/items?token=abc', '/items?token=***'],
  ['/p?a=1&b=&flag&c=x=y', '/p?a=***&b=***&flag&c=***'],
  ['/?', '/?'],
])('maskQuery(%s) is %s', (path, masked) => {
  expect(maskQuery(path)).toBe(masked)
})

const request = { method: 'GET', origin: 'https://api.example.com', path: '/v1/items?key=s3cr3t' }

test('a request that ended', () => {
  expect(requestLine(request, { status: 200, bytes: 1234, ms: 56.4 })).toBe(
    'http GET https://api.example.com/v1/items?key=*** 200 1234 B 56 ms\n',
  )
})

test('a request that failed before an answer', () => {
  expect(requestLine(request, { bytes: 0, ms: 3, problem: 'connection refused' })).toBe(
    'http GET https://api.example.com/v1/items?key=*** failed after 3 ms: connection refused\n',
  )
})

test('a body that was cut', () => {
  expect(requestLine(request, { status: 200, bytes: 10, ms: 7, problem: 'cut' })).toBe(
    'http GET https://api.example.com/v1/items?key=*** 200 10 B 7 ms: cut\n',
  )
})

test('refusals name the task and what it allows', () => {
  expect(
    refusedLine('http://127.0.0.1:81', 'fetch@2', ['http://127.0.0.1:80', 'https://*.a.com']),
  ).toBe(
    'http request to http://127.0.0.1:81 refused: task fetch@2 allows http://127.0.0.1:80, https://*.a.com\n',
  )
  expect(refusedLine('http://127.0.0.1:81', 'fetch@2', undefined)).toBe(
    'http request to http://127.0.0.1:81 refused: task fetch@2 has no http capability\n',
  )
})
