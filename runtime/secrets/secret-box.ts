/**
 * Sealing secret values with AES-256-GCM (node:crypto): a fresh 12-byte IV
 * per value, the 16-byte tag, then the ciphertext. The secret's name is the
 * additional authenticated data, so a sealed value moved to another name
 * does not open.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'

const ivBytes = 12
const tagBytes = 16

export class SecretBox {
  readonly #key: Buffer

  /** `key`: 32 bytes. */
  constructor(key: Uint8Array) {
    if (key.length !== 32) throw new Error(`a secret key has 32 bytes, not ${key.length}`)
    this.#key = Buffer.from(key)
  }

  seal(name: string, value: string): Uint8Array {
    const iv = randomBytes(ivBytes)
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv)
    cipher.setAAD(Buffer.from(name, 'utf8'))
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()])
    return new Uint8Array(Buffer.concat([iv, cipher.getAuthTag(), body]))
  }

  /** The value, or undefined when it was sealed with another key (or for another name). */
  open(name: string, sealed: Uint8Array): string | undefined {
    const data = Buffer.from(sealed)
    if (data.length < ivBytes + tagBytes) return undefined
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#key, data.subarray(0, ivBytes))
      decipher.setAAD(Buffer.from(name, 'utf8'))
      decipher.setAuthTag(data.subarray(ivBytes, ivBytes + tagBytes))
      const body = data.subarray(ivBytes + tagBytes)
      return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8')
    } catch {
      return undefined
    }
  }
}
