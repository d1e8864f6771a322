/**
 * Secrets: set, listed (names and times only), deleted (not while a task
 * version uses one), and opened for an attempt. Values are sealed before they
 * reach the store; a server whose key cannot open the store's check value
 * refuses to start, saying which key to give it.
 */
import { WeirError } from '../errors.js'
import type { SecretRecord } from '../store/records.js'
import type { SecretStore } from '../store/store.js'
import { SecretBox } from './secret-box.js'

const checkName = 'weir:check'
const checkValue = 'weir secret key check'

/** Secret names: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const secretNamePattern = '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$'
const namePattern = new RegExp(secretNamePattern)

/** Values shorter than this are refused: they would mask too much of every output and log. */
export const minSecretBytes = 8
const maxSecretBytes = 64 * 1024

export class Secrets {
  readonly #store: SecretStore
  readonly #box: SecretBox
  readonly #now: () => number

  private constructor(store: SecretStore, box: SecretBox, now: () => number) {
    this.#store = store
    this.#box = box
    this.#now = now
  }

  /** Opens the secrets of `store` with `key`; refuses a key that cannot open the stored check value. */
  static async open(
    store: SecretStore,
    key: Uint8Array,
    now: () => number = Date.now,
  ): Promise<Secrets> {
    const box = new SecretBox(key)
    const stored = await store.initSecretCheck(box.seal(checkName, checkValue))
    if (box.open(checkName, stored) !== checkValue)
      throw new WeirError(
        'unavailable',
        'the secret key cannot open the secrets in this database: start with the WEIR_SECRET_KEY (or the data directory key file) the secrets were stored with',
      )
    return new Secrets(store, box, now)
  }

  /** Sets a secret; `created` is false when it replaced a value. */
  async set(name: string, value: string): Promise<{ created: boolean }> {
    assertSecretName(name)
    const size = Buffer.byteLength(value, 'utf8')
    if (size < minSecretBytes || size > maxSecretBytes)
      throw new WeirError(
        'invalid_document',
        `secret ${name}: a value has ${minSecretBytes} to ${maxSecretBytes} bytes, not ${size}`,
        [
          {
            pointer: '/value',
            code: 'invalid_document',
            message: `expected ${minSecretBytes} to ${maxSecretBytes} bytes, found ${size}`,
          },
        ],
      )
    return this.#store.putSecret(name, this.#box.seal(name, value), this.#now())
  }

  list(): Promise<SecretRecord[]> {
    return this.#store.listSecrets()
  }

  async get(name: string): Promise<SecretRecord> {
    const found = (await this.#store.listSecrets()).find((s) => s.name === name)
    if (!found) throw new WeirError('not_found', `secret ${name} does not exist`)
    return found
  }

  /** Names among `names` that are not set. */
  async missing(names: readonly string[]): Promise<string[]> {
    const known = new Set((await this.#store.listSecrets()).map((s) => s.name))
    return names.filter((n) => !known.has(n))
  }

  /** Deletes a secret no task version uses; 409 naming the versions that do. */
  async delete(name: string): Promise<void> {
    const users = await this.#store.tasksUsingSecret(name)
    if (users.length > 0)
      throw new WeirError(
        'conflict',
        `secret ${name} is used by ${users.join(', ')}: publish versions without it first`,
      )
    if (!(await this.#store.deleteSecret(name)))
      throw new WeirError('not_found', `secret ${name} does not exist`)
  }

  /** The value of a secret, for an attempt (read at each attempt, so a rotation needs no republish). */
  async reveal(name: string): Promise<string | undefined> {
    const sealed = await this.#store.getSecret(name)
    return sealed === undefined ? undefined : this.#box.open(name, sealed)
  }
}

function assertSecretName(name: string): void {
  if (!namePattern.test(name))
    throw new WeirError(
      'invalid_request',
      `secret name "${name}" must start with a letter or digit and have only letters, digits, ".", "_" and "-" (at most 128)`,
    )
}
