/**
 * API keys: `weir_<id>_<secret>`. Only sha256(secret) is stored; a presented
 * key is found by its id and its secret compared with the stored hash in
 * constant time. Known keys are cached in memory for ten seconds (deleting
 * through this object clears the entry; another node's deletion is seen when
 * the entry expires). Once a secret has matched its hash, the cache entry
 * keeps it, and later requests compare their secret with it in constant time:
 * no hash per request, and a wrong secret is still checked against the hash.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { WeirError } from '../errors.js'
import type { ApiKeyRecord, Role } from '../store/records.js'
import type { KeyStore } from '../store/store.js'

export const roles: readonly Role[] = ['admin', 'publisher', 'operator', 'viewer']

const keyPattern = /^weir_([0-9a-f]{16})_([A-Za-z0-9_-]{32})$/
const cacheTtlMs = 10_000

const hashOf = (secret: string): Buffer => createHash('sha256').update(secret).digest()

/** Whether a key of `role` may call a route that requires `required`. */
export function roleAllows(role: Role, required: Role): boolean {
  return role === 'admin' || required === 'viewer' || role === required
}

export interface CreatedKey {
  readonly record: ApiKeyRecord
  /** The whole key; shown once, never stored. */
  readonly key: string
}

interface CachedKey {
  readonly record: ApiKeyRecord | undefined
  readonly hash: Buffer
  readonly at: number
  /** The secret that matched `hash` while this entry lives. */
  verified?: Buffer
}

export class ApiKeys {
  readonly #store: KeyStore
  readonly #now: () => number
  readonly #cache = new Map<string, CachedKey>()

  constructor(store: KeyStore, now: () => number = Date.now) {
    this.#store = store
    this.#now = now
  }

  async create(name: string, role: Role): Promise<CreatedKey> {
    const id = randomBytes(8).toString('hex')
    const secret = randomBytes(24).toString('base64url')
    const record: ApiKeyRecord = {
      id,
      name,
      role,
      secretHash: hashOf(secret).toString('hex'),
      createdAt: this.#now(),
    }
    await this.#store.createApiKey(record)
    return { record, key: `weir_${id}_${secret}` }
  }

  /** The key an `Authorization` header carries; throws `unauthorized` when it is missing or wrong. */
  async authenticate(header: string | undefined): Promise<ApiKeyRecord> {
    if (!header)
      throw new WeirError('unauthorized', 'missing Authorization header (Bearer <api key>)')
    const [scheme, token] = header.split(/\s+/, 2)
    if (scheme?.toLowerCase() !== 'bearer' || !token)
      throw new WeirError('unauthorized', 'the Authorization header must be "Bearer <api key>"')
    const match = keyPattern.exec(token)
    if (!match) throw new WeirError('unauthorized', 'the API key is malformed')
    const [, id = '', secret = ''] = match
    const known = await this.#lookup(id)
    // The pattern fixes the secret's length, so both buffers are 32 bytes.
    const presented = Buffer.from(secret)
    if (known.record && known.verified && timingSafeEqual(known.verified, presented))
      return known.record
    const matches = timingSafeEqual(known.hash, hashOf(secret))
    if (!known.record || !matches) throw new WeirError('unauthorized', 'the API key is not valid')
    known.verified = presented
    return known.record
  }

  /** The key with this id, if it exists (a console session checks its key still does). */
  async byId(id: string): Promise<ApiKeyRecord | undefined> {
    return (await this.#lookup(id)).record
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.#store.listApiKeys()
  }

  async delete(id: string): Promise<void> {
    if (!(await this.#store.deleteApiKey(id)))
      throw new WeirError('not_found', `API key ${id} does not exist`)
    this.#cache.delete(id)
  }

  async #lookup(id: string): Promise<CachedKey> {
    const cached = this.#cache.get(id)
    if (cached && this.#now() - cached.at < cacheTtlMs) return cached
    const record = await this.#store.getApiKey(id)
    // An unknown id is compared against a hash of nothing, so it costs the same as a wrong secret.
    const hash = record ? Buffer.from(record.secretHash, 'hex') : hashOf('')
    const entry: CachedKey = { record, hash, at: this.#now() }
    if (record) this.#cache.set(id, entry)
    return entry
  }
}
