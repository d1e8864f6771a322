/** Masking: a secret's value, its base64 at any alignment and its URL-encoded form become ***. */
import { expect, test } from 'vitest'
import { Masker } from '../../../runtime/secrets/mask.js'

const secret = 'sk_live 4f0c/2a9b+7e?'
const masker = new Masker([secret])

test('the value as is, URL-encoded and form-encoded', () => {
  expect(masker.text(`key=${secret};`)).toBe('key=***;')
  expect(masker.text(`?k=${encodeURIComponent(secret)}&x=1`)).toBe('?k=***&x=1')
  expect(masker.text(`k=${encodeURIComponent(secret).replaceAll('%20', '+')}`)).toBe('k=***')
})

test('base64 and base64url at each of the three alignments inside a longer encoding', () => {
  for (const prefix of ['', 'a', 'ab', 'abc']) {
    for (const encoding of ['base64', 'base64url'] as const) {
      const encoded = Buffer.from(`${prefix}${secret}:tail`, 'utf8').toString(encoding)
      const masked = masker.text(`Authorization: Basic ${encoded}`)
      expect(masked).toContain('***')
      const left = masked.replace('Authorization: Basic ', '')
      const decodedParts = left.split('***').map((p) => Buffer.from(p, encoding).toString('utf8'))
      for (const part of decodedParts) expect(part).not.toContain('4f0c/2a9b')
    }
  }
})

test('every string and key of a JSON value; nothing changes without secrets', () => {
  expect(
    masker.json({ header: `Bearer ${secret}`, list: [secret, 1, null], [secret]: true }),
  ).toEqual({ header: 'Bearer ***', list: ['***', 1, null], '***': true })
  const value = { a: [1, 'x'] }
  expect(new Masker([]).json(value)).toBe(value)
  expect(new Masker([]).empty).toBe(true)
})
