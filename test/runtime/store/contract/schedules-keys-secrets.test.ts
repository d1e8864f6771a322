/**
 * The store contract for schedules and secrets, on libSQL and PostgreSQL:
 * schedules saved, listed, due and deleted; sealed secrets stored as bytes,
 * replaced, listed without values, found in the task versions that name
 * them; the check value stored once.
 */
import { describe, expect, test } from 'vitest'
import type { ScheduleRecord } from '../../../../runtime/store/index.js'
import { storeKinds, storePerTest } from '../../../fixtures/test-stores.js'

const schedule = (id: string, nextFireAt: number | undefined, paused = false): ScheduleRecord => ({
  id,
  flow: 'f',
  source: 'flow',
  trigger: 0,
  cron: '*/5 * * * *',
  timezone: 'Europe/Paris',
  input: { id },
  paused,
  nextFireAt,
  lastFireAt: undefined,
  createdAt: 1,
  updatedAt: 1,
})

describe.each(storeKinds)('%s store', (kind) => {
  const current = storePerTest(kind)

  test('schedules are saved, updated, listed, due in order and deleted', async () => {
    const store = current()
    await store.saveSchedule(schedule('b', 300))
    await store.saveSchedule(schedule('a', 200))
    await store.saveSchedule(schedule('c', 100, true))
    await store.saveSchedule({ ...schedule('b', 150), cron: '0 * * * *', updatedAt: 9 })
    expect(await store.getSchedule('b')).toEqual({
      ...schedule('b', 150),
      cron: '0 * * * *',
      updatedAt: 9,
    })
    expect((await store.listSchedules()).map((s) => s.id)).toEqual(['a', 'b', 'c'])
    expect((await store.listSchedules('g')).map((s) => s.id)).toEqual([])
    expect((await store.dueSchedules(250, 10)).map((s) => s.id)).toEqual(['b', 'a'])
    expect((await store.dueSchedules(250, 1)).map((s) => s.id)).toEqual(['b'])
    expect(await store.earliestFire()).toBe(150)
    expect([await store.deleteSchedule('b'), await store.deleteSchedule('b')]).toEqual([
      true,
      false,
    ])
    expect(await store.earliestFire()).toBe(200)
    expect(await store.getSchedule('b')).toBeUndefined()
  })

  test('secrets are kept sealed, replaced, listed without values and deleted', async () => {
    const store = current()
    const sealed = Uint8Array.from([1, 2, 3, 250])
    expect(await store.putSecret('api-token', sealed, 10)).toEqual({ created: true })
    expect(await store.putSecret('api-token', Uint8Array.from([9]), 20)).toEqual({
      created: false,
    })
    expect(await store.getSecret('api-token')).toEqual(Uint8Array.from([9]))
    expect(await store.getSecret('other')).toBeUndefined()
    expect(await store.listSecrets()).toEqual([{ name: 'api-token', createdAt: 10, updatedAt: 20 }])
    expect([await store.deleteSecret('api-token'), await store.deleteSecret('api-token')]).toEqual([
      true,
      false,
    ])
    expect(await store.listSecrets()).toEqual([])
  })

  test('the task versions that name a secret are found; the check value is stored once', async () => {
    const store = current()
    const sha = 'ef'.repeat(32)
    await store.putComponent(sha, Uint8Array.from([0, 97, 115, 109]))
    const binding = {
      export: 'run',
      signature: 'func() -> string',
      params: [],
      inputMode: 'params',
      result: { kind: 'string' },
    } as const
    const task = (name: string, env: Record<string, string | { secret: string }>) =>
      store.publishTask({ name, component: `sha256:${sha}`, capabilities: { env } }, binding)
    await task('uses', { TOKEN: { secret: 'api-token' }, REGION: 'eu' })
    await task('uses', { TOKEN: { secret: 'other-token' } })
    await task('literal', { NOTE: 'secret api-token' })
    await task('also', { KEY: { secret: 'api-token' } })
    expect(await store.tasksUsingSecret('api-token')).toEqual(['also@1', 'uses@1'])
    expect(await store.tasksUsingSecret('nothing')).toEqual([])
    const check = Uint8Array.from([7, 7, 7])
    expect(await store.initSecretCheck(check)).toEqual(check)
    expect(await store.initSecretCheck(Uint8Array.from([8]))).toEqual(check)
  })
})
