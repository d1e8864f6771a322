/**
 * A full disk, deterministically: `PRAGMA max_page_count` caps the database at
 * its current size, and the free pages left inside it are used up, so any
 * write that needs a new page fails with SQLITE_FULL. The store keeps one
 * connection, so the PRAGMA (which is per connection) holds for every write.
 */
import type { SqlClient as Client } from '../../../runtime/store/sql/sql-client.js'

const pragma = async (client: Client, sql: string) =>
  Number(Object.values((await client.execute(sql)).rows[0] ?? {})[0])

/** Caps the database at its size, with no free page left; writes fail, none is made to fail here. */
export async function fillDatabase(client: Client): Promise<void> {
  await client.execute('CREATE TABLE IF NOT EXISTS test_filler (pad BLOB NOT NULL)')
  await client.execute(`PRAGMA max_page_count = ${await pragma(client, 'PRAGMA page_count')}`)
  // One 3,000-byte row per page: each insert takes a free page while there are any.
  while ((await pragma(client, 'PRAGMA freelist_count')) > 0)
    await client.execute('INSERT INTO test_filler (pad) VALUES (zeroblob(3000))')
}

/** Space returns: the cap goes back to SQLite's default. */
export async function unfillDatabase(client: Client): Promise<void> {
  await client.execute('PRAGMA max_page_count = 4294967294')
}
