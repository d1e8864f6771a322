/** A store refuses a database whose schema is newer than it knows, on libSQL and PostgreSQL. */
import { describe, expect, test } from 'vitest'
import { freshDatabase, openTestStore, storeKinds } from '../../../fixtures/test-stores.js'

describe.each(storeKinds)('%s store', (kind) => {
  test('a database whose schema is newer than this weir is refused', async () => {
    const url = await freshDatabase(kind)
    const store = await openTestStore(kind, url)
    await store.client.execute(
      "INSERT INTO schema_migrations (version, name, applied_at) VALUES (99, 'from-the-future', 0)",
    )
    await store.close()
    await expect(openTestStore(kind, url)).rejects.toMatchObject({
      code: 'internal',
      message:
        "the database's schema is at version 99, newer than this weir knows (18): upgrade weir",
    })
  })
})
