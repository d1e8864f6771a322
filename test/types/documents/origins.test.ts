/** Origins of `capabilities.http.allow`: parsed at publish with exact reasons, matched per request. */
import { describe, expect, test } from 'vitest'
import {
  originAllowed,
  parseOrigin,
  type RequestOrigin,
  validateTaskDocument,
} from '../../../types/index.js'

const expected =
  'expected scheme://host[:port] with scheme http or https, e.g. https://api.example.com, https://*.example.com or http://127.0.0.1:*'

describe('parseOrigin', () => {
  test.each([
    [
      'https://api.stripe.com',
      { scheme: 'https', host: 'api.stripe.com', wildcard: false, port: 443 },
    ],
    ['http://127.0.0.1:*', { scheme: 'http', host: '127.0.0.1', wildcard: false, port: '*' }],
    ['https://*.Example.com', { scheme: 'https', host: 'example.com', wildcard: true, port: 443 }],
    ['http://[::1]:8080', { scheme: 'http', host: '[::1]', wildcard: false, port: 8080 }],
    [
      'https://api.example.com/',
      { scheme: 'https', host: 'api.example.com', wildcard: false, port: 443 },
    ],
  ])('%s', (text, origin) => {
    expect(parseOrigin(text)).toEqual({ ok: true, origin })
  })

  test.each([
    ['api.example.com', '"api.example.com" is not an origin'],
    ['ftp://files.example.com', 'scheme "ftp" is not allowed'],
    ['https://api.example.com/v1', '"https://api.example.com/v1" has a path; an origin has none'],
    [
      'https://api.example.com?key=1',
      '"https://api.example.com?key=1" has a query; an origin has none',
    ],
    [
      'https://user:pw@api.example.com',
      '"https://user:pw@api.example.com" has userinfo; an origin has none',
    ],
    ['https://api.example.com:99999', 'port 99999 is not between 1 and 65535'],
    [
      'https://api.*.com',
      '"https://api.*.com": a wildcard may only be a leading "*." before a domain',
    ],
    [
      'https://*.com',
      '"https://*.com": "*." must be followed by a domain with at least two labels',
    ],
    ['https://*.10.0.0.1', '"https://*.10.0.0.1": a wildcard goes before a domain, not an address'],
    ['https://bad_host', '"bad_host" is not a valid host name'],
    ['https://api.example.com:', '"https://api.example.com:" has an empty port'],
  ])('%s is refused', (text, why) => {
    expect(parseOrigin(text)).toEqual({ ok: false, message: `${why}: ${expected}` })
  })
})

describe('originAllowed', () => {
  const allow = ['https://api.stripe.com', 'https://*.example.com', 'http://127.0.0.1:*'].map(
    (text) => {
      const parsed = parseOrigin(text)
      if (!parsed.ok) throw new Error(parsed.message)
      return parsed.origin
    },
  )
  const at = (scheme: string, host: string, port: number): RequestOrigin => ({ scheme, host, port })

  test.each([
    [at('https', 'api.stripe.com', 443), true],
    [at('http', 'api.stripe.com', 80), false],
    [at('https', 'api.stripe.com', 8443), false],
    [at('https', 'eu.example.com', 443), true],
    [at('https', 'a.b.example.com', 443), true],
    [at('https', 'example.com', 443), false],
    [at('https', 'evilexample.com', 443), false],
    [at('http', '127.0.0.1', 1), true],
    [at('http', '127.0.0.1', 65_535), true],
    [at('http', '127.0.0.2', 80), false],
  ])('%o → %s', (request, allowed) => {
    expect(originAllowed(request, allow)).toBe(allowed)
  })

  test('a wildcard never matches a link-local or metadata address; a literal entry does', () => {
    const wide = [parseOrigin('http://*.169.254'), parseOrigin('http://169.254.169.254')]
      .filter((p) => p.ok)
      .map((p) => (p.ok ? p.origin : undefined))
      .filter((o) => o !== undefined)
    expect(originAllowed(at('http', '169.254.169.254', 80), wide)).toBe(true)
    expect(originAllowed(at('http', '169.254.169.254', 80), wide.slice(0, 1))).toBe(false)
  })
})

describe('capabilities in a task document', () => {
  test('bad origins and an empty list are refused with pointers', () => {
    const result = validateTaskDocument({
      name: 'charge',
      capabilities: { http: { allow: ['https://ok.example.com', 'https://x.example.com/path'] } },
    })
    expect(result).toEqual({
      ok: false,
      problems: [
        {
          pointer: '/capabilities/http/allow/1',
          code: 'invalid_document',
          message: `"https://x.example.com/path" has a path; an origin has none: ${expected}`,
        },
      ],
    })
    const empty = validateTaskDocument({ name: 'charge', capabilities: { http: { allow: [] } } })
    expect(empty.ok ? [] : empty.problems.map((p) => p.pointer)).toEqual([
      '/capabilities/http/allow',
    ])
    const unknown = validateTaskDocument({ name: 'charge', capabilities: { disk: true } })
    expect(unknown.ok ? [] : unknown.problems.map((p) => p.pointer)).toEqual(['/capabilities/disk'])
  })

  test('a valid grant passes', () => {
    const doc = { name: 'charge', capabilities: { http: { allow: ['https://*.example.com'] } } }
    expect(validateTaskDocument(doc)).toEqual({ ok: true, value: doc })
  })
})
