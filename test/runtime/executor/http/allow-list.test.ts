/** The allow-list of the http capability: entries, request origins, matching, link-local addresses. */
import { describe, expect, test } from 'vitest'
import {
  isLinkLocal,
  matchOrigin,
  parseAllowEntry,
  parseAllowList,
  type RequestOrigin,
  requestOrigin,
} from '../../../../runtime/executor/sandbox/http/allow-list.js'

describe('parseAllowEntry', () => {
  test.each([
    [
      'https://api.stripe.com',
      { scheme: 'https', host: 'api.stripe.com', wildcard: false, port: 443 },
    ],
    ['http://127.0.0.1:*', { scheme: 'http', host: '127.0.0.1', wildcard: false, port: '*' }],
    ['https://*.example.com', { scheme: 'https', host: 'example.com', wildcard: true, port: 443 }],
    [
      'HTTP://Example.COM:8080/',
      { scheme: 'http', host: 'example.com', wildcard: false, port: 8080 },
    ],
    ['http://[::1]:9000', { scheme: 'http', host: '::1', wildcard: false, port: 9000 }],
    [
      'http://169.254.169.254',
      { scheme: 'http', host: '169.254.169.254', wildcard: false, port: 80 },
    ],
  ])('%s parses', (text, expected) => {
    expect(parseAllowEntry(text)).toEqual({ text, ...expected })
  })

  test.each([
    [
      'ftp://example.com',
      'an origin is scheme://host[:port] with scheme http or https, and no path',
    ],
    [
      'https://example.com/path',
      'an origin is scheme://host[:port] with scheme http or https, and no path',
    ],
    ['https://user:pw@example.com', 'an origin carries no userinfo (user@)'],
    ['https://*.com', 'a *. wildcard stands before a domain name of at least two labels'],
    ['https://*.10.0.0.1', 'a *. wildcard stands before a domain name of at least two labels'],
    ['https://exa_mple.com', '"exa_mple.com" is not a host name or IP address'],
    ['https://example.com:0', '"0" is not a port (1-65535 or *)'],
    ['https://example.com:70000', '"70000" is not a port (1-65535 or *)'],
  ])('%s is refused: %s', (text, problem) => {
    expect(parseAllowEntry(text)).toBe(problem)
  })
})

describe('requestOrigin', () => {
  test.each([
    [
      'http',
      '127.0.0.1:8080',
      { scheme: 'http', host: '127.0.0.1', port: 8080, text: 'http://127.0.0.1:8080' },
    ],
    [
      undefined,
      'API.example.com',
      { scheme: 'https', host: 'api.example.com', port: 443, text: 'https://api.example.com' },
    ],
    [
      'https',
      '[::1]:8443',
      { scheme: 'https', host: '::1', port: 8443, text: 'https://[::1]:8443' },
    ],
  ])('%s %s', (scheme, authority, expected) => {
    expect(requestOrigin(scheme, authority)).toEqual(expected)
  })

  test.each([
    ['ftp', 'example.com', { kind: 'scheme', scheme: 'ftp' }],
    ['file', undefined, { kind: 'scheme', scheme: 'file' }],
    ['https', 'user:secret@example.com', { kind: 'userinfo', text: 'https://example.com' }],
    ['https', undefined, { kind: 'authority', authority: undefined }],
    ['https', 'example.com:99999', { kind: 'authority', authority: 'example.com:99999' }],
    ['https', 'a:b:c', { kind: 'authority', authority: 'a:b:c' }],
  ])('%s %s is refused', (scheme, authority, expected) => {
    expect(requestOrigin(scheme, authority)).toEqual(expected)
  })
})

describe('matchOrigin', () => {
  const entries = parseAllowList([
    'https://api.stripe.com',
    'https://*.example.com',
    'http://127.0.0.1:*',
    'not an origin',
  ])
  const origin = (scheme: string, authority: string) =>
    requestOrigin(scheme, authority) as RequestOrigin

  test.each([
    ['https', 'api.stripe.com', 'https://api.stripe.com'],
    ['https', 'api.stripe.com:443', 'https://api.stripe.com'],
    ['https', 'a.example.com', 'https://*.example.com'],
    ['https', 'a.b.example.com', 'https://*.example.com'],
    ['http', '127.0.0.1:4567', 'http://127.0.0.1:*'],
    ['http', '127.0.0.1', 'http://127.0.0.1:*'],
  ])('%s://%s is allowed by %s', (scheme, authority, by) => {
    expect(matchOrigin(entries, origin(scheme, authority))?.text).toBe(by)
  })

  test.each([
    ['http', 'api.stripe.com'],
    ['https', 'api.stripe.com:8443'],
    ['https', 'example.com'],
    ['https', 'evilexample.com'],
    ['https', 'example.com.evil.org'],
    ['https', '127.0.0.1:443'],
    ['http', 'localhost:4567'],
  ])('%s://%s is refused', (scheme, authority) => {
    expect(matchOrigin(entries, origin(scheme, authority))).toBeUndefined()
  })

  test('the entry that does not parse matches nothing', () => {
    expect(entries).toHaveLength(3)
  })
})

describe('isLinkLocal', () => {
  test.each([
    ['169.254.169.254', true],
    ['169.254.0.1', true],
    ['::ffff:169.254.169.254', true],
    ['fe80::1', true],
    ['febf::1', true],
    ['FE80::abcd', true],
    ['169.255.0.1', false],
    ['10.0.0.1', false],
    ['127.0.0.1', false],
    ['fec0::1', false],
    ['::1', false],
  ])('%s: %s', (address, expected) => {
    expect(isLinkLocal(address)).toBe(expected)
  })
})
