/** Secrets sealed with AES-256-GCM, the key from WEIR_SECRET_KEY or a 0600 key file, a wrong key refused. */
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { SecretBox } from '../../../runtime/secrets/secret-box.js'
import { loadSecretKey, parseSecretKey } from '../../../runtime/secrets/secret-key.js'
import { Secrets } from '../../../runtime/secrets/secrets.js'
import { taskEnvironment } from '../../../runtime/secrets/task-environment.js'
import { LibsqlStore } from '../../../runtime/store/index.js'

const key = new Uint8Array(32).fill(1)
const otherKey = new Uint8Array(32).fill(2)

describe('SecretBox', () => {
  test('a sealed value opens with its key and name only', () => {
    const box = new SecretBox(key)
    const sealed = box.seal('stripe', 'sk_live_0123456789')
    expect(Buffer.from(sealed).includes(Buffer.from('sk_live'))).toBe(false)
    expect(box.open('stripe', sealed)).toBe('sk_live_0123456789')
    expect(box.open('other', sealed)).toBeUndefined()
    expect(new SecretBox(otherKey).open('stripe', sealed)).toBeUndefined()
    expect(box.seal('stripe', 'same')).not.toEqual(box.seal('stripe', 'same'))
  })
})

describe('the secret key', () => {
  test('WEIR_SECRET_KEY is 64 hex digits or base64 of 32 bytes', () => {
    expect(parseSecretKey('01'.repeat(32))).toEqual(new Uint8Array(32).fill(1))
    expect(parseSecretKey(Buffer.from(key).toString('base64'))).toEqual(key)
    expect(() => parseSecretKey('short')).toThrow(
      'WEIR_SECRET_KEY must be 32 bytes, written as 64 hex digits or in base64',
    )
  })

  test('without it, a 0600 key file is made in the data directory on first use, then kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weir-key-'))
    const first = await loadSecretKey(undefined, dir)
    expect(first.length).toBe(32)
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600)
    expect(await loadSecretKey(undefined, dir)).toEqual(first)
    expect(readFileSync(join(dir, 'secret.key'), 'utf8').trim()).toBe(
      Buffer.from(first).toString('base64'),
    )
  })
})

describe('Secrets on a store', () => {
  let store: LibsqlStore
  let file: string

  beforeAll(async () => {
    file = join(mkdtempSync(join(tmpdir(), 'weir-secrets-')), 'weir.db')
    store = await LibsqlStore.open({ url: `file:${file}` })
  })

  afterAll(async () => {
    await store.close()
  })

  test('set, list (names and times only), replace, reveal; never stored in the clear', async () => {
    let now = 1000
    const secrets = await Secrets.open(store, key, () => now)
    expect(await secrets.set('stripe-live', 'sk_live_abcdefgh')).toEqual({ created: true })
    now = 2000
    expect(await secrets.set('stripe-live', 'sk_live_rotated1')).toEqual({ created: false })
    expect(await secrets.list()).toEqual([
      { name: 'stripe-live', createdAt: 1000, updatedAt: 2000 },
    ])
    expect(await secrets.reveal('stripe-live')).toBe('sk_live_rotated1')
    expect(await secrets.reveal('nothing')).toBeUndefined()
    expect(readFileSync(file).includes(Buffer.from('sk_live_'))).toBe(false)
    expect(readFileSync(`${file}-wal`).includes(Buffer.from('sk_live_'))).toBe(false)
  })

  test('a value shorter than 8 bytes and a bad name are refused', async () => {
    const secrets = await Secrets.open(store, key)
    await expect(secrets.set('short', '1234567')).rejects.toMatchObject({
      code: 'invalid_document',
      message: 'secret short: a value has 8 to 65536 bytes, not 7',
      problems: [{ pointer: '/value', message: 'expected 8 to 65536 bytes, found 7' }],
    })
    await expect(secrets.set('has space', '12345678')).rejects.toMatchObject({
      code: 'invalid_request',
    })
  })

  test('a key that cannot open the check value refuses to open the secrets', async () => {
    await expect(Secrets.open(store, otherKey)).rejects.toMatchObject({
      code: 'unavailable',
      message:
        'the secret key cannot open the secrets in this database: start with the WEIR_SECRET_KEY (or the data directory key file) the secrets were stored with',
    })
  })
})

describe('a task environment', () => {
  test('literals and secrets in document order, read at each call (rotation needs no republish)', async () => {
    const store = await LibsqlStore.open({ url: ':memory:' })
    const secrets = await Secrets.open(store, key)
    await secrets.set('stripe-live', 'sk_live_first123')
    const env = { REGION: 'eu-west-1', STRIPE_KEY: { secret: 'stripe-live' } }
    expect(await taskEnvironment(env, secrets)).toEqual({
      ok: true,
      environment: {
        vars: [
          ['REGION', 'eu-west-1'],
          ['STRIPE_KEY', 'sk_live_first123'],
        ],
        secretValues: ['sk_live_first123'],
      },
    })
    await secrets.set('stripe-live', 'sk_live_second45')
    const rotated = await taskEnvironment(env, secrets)
    expect(rotated.ok && rotated.environment.secretValues).toEqual(['sk_live_second45'])
    expect(await taskEnvironment({ X: { secret: 'gone' } }, secrets)).toEqual({
      ok: false,
      message:
        'secret "gone" of variable X cannot be read: it is not set, or was sealed with another key',
    })
    expect(await taskEnvironment(undefined, secrets)).toEqual({
      ok: true,
      environment: { vars: [], secretValues: [] },
    })
    await store.close()
  })
})
