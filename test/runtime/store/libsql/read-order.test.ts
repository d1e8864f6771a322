/**
 * Reads and the database thread: a read issued while writes are outstanding
 * sees exactly the writes issued before it, and is answered after them, so a
 * caller never sees a commit whose writer has not been told yet. A read with
 * no write outstanding runs at once on the main thread's connection.
 */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, expect, test } from 'vitest'
import { LibsqlStore } from '../../../../runtime/store/index.js'

let store: LibsqlStore

beforeEach(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'weir-read-order-'))
  store = await LibsqlStore.open({ url: `file:${join(dir, 'weir.db')}` })
  await store.client.write(['CREATE TABLE numbers (n INTEGER PRIMARY KEY)'])
})

afterEach(async () => {
  await store.close()
})

const insert = (n: number) =>
  store.client.write([{ sql: 'INSERT INTO numbers (n) VALUES (?)', args: [n] }])
const numbers = async () =>
  (await store.client.execute('SELECT n FROM numbers ORDER BY n')).rows.map((row) => row.n)

test('a read between two writes sees the first, not the second, and is answered after the first', async () => {
  const answered: string[] = []
  const first = insert(1).then(() => answered.push('write 1'))
  const read = numbers().then((seen) => {
    answered.push('read')
    return seen
  })
  const second = insert(2).then(() => answered.push('write 2'))
  expect(await read).toEqual([1])
  await Promise.all([first, second])
  expect(answered).toEqual(['write 1', 'read', 'write 2'])
  expect(await numbers()).toEqual([1, 2])
})

test('a batch of reads between writes sees one snapshot in order too', async () => {
  const first = insert(1)
  const read = store.client.read([
    'SELECT COUNT(*) AS c FROM numbers',
    'SELECT MAX(n) AS m FROM numbers',
  ])
  const second = insert(2)
  expect((await read).map((r) => r.rows[0])).toEqual([{ c: 1 }, { m: 1 }])
  await Promise.all([first, second])
})

test('with no write outstanding a read is answered at once, before any write issued after it', async () => {
  await insert(1)
  const answered: string[] = []
  const read = numbers().then(() => answered.push('read'))
  const write = insert(2).then(() => answered.push('write 2'))
  await Promise.all([read, write])
  expect(answered).toEqual(['read', 'write 2'])
})
