/** Roles: admin may do everything, viewer routes are open to every key, and the others need their own role. */
import { expect, test } from 'vitest'
import { roleAllows, roles } from '../../../runtime/http/api-keys.js'

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
