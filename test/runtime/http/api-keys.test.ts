/**
 * Roles: admin may do everything, viewer routes are open to every key, and the
 * others need their own role. Authentication: a verified key passes without
 * hashing again, and revocation still takes effect.
 */
import { describe, expect, test } from 'vitest'
import type { WeirError } from '../../../runtime/errors.js'
import { ApiKeys, roleAllows, roles } from '../../../runtime/http/api-keys.js'
import { storePerTest } from '../../fixtures/test-stores.js'

test('the role matrix', () => {
  const matrix = roles.map((role) => roles.map((required) => roleAllows(role, required)))
  // rows: the key's role; columns: the route's role (admin, publisher, operator, viewer)
  expect(matrix).toEqual([
    [true, true, true, true],
    [false, true, false, true],
    [false, false, true, true],
    [false, false, false, true],
  ])
})

describe('authentication through the cache of verified keys', () => {
  const store = storePerTest('libsql')
  let now = 1_000_000
  const keys = () => new ApiKeys(store(), () => now)
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => 'accepted',
      (error: WeirError) => `${error.code}: ${error.message}`,
    )

  test('a verified key passes again; a wrong secret for its id is still refused', async () => {
    const api = keys()
    const { key, record } = await api.create('ci', 'operator')
    const wrong = `${key.slice(0, -1)}${key.endsWith('A') ? 'B' : 'A'}`
    for (let i = 0; i < 3; i++) expect(await api.authenticate(`Bearer ${key}`)).toEqual(record)
    expect(await refusal(api.authenticate(`Bearer ${wrong}`))).toBe(
      'unauthorized: the API key is not valid',
    )
    expect(await api.authenticate(`Bearer ${key}`)).toEqual(record)
  })

  test('a key deleted here is refused at once; deleted by another node, within ten seconds', async () => {
    const here = keys()
    const other = keys()
    const { key, record } = await here.create('ci', 'viewer')
    await here.authenticate(`Bearer ${key}`)
    await other.authenticate(`Bearer ${key}`)
    await here.delete(record.id)
    expect(await refusal(here.authenticate(`Bearer ${key}`))).toBe(
      'unauthorized: the API key is not valid',
    )
    expect(await other.authenticate(`Bearer ${key}`)).toEqual(record)
    now += 10_000
    expect(await refusal(other.authenticate(`Bearer ${key}`))).toBe(
      'unauthorized: the API key is not valid',
    )
  })
})
