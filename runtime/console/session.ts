/**
 * Console sessions: an API key, once presented at sign-in, is exchanged for
 * a cookie naming the key's id and an expiry, signed with HMAC-SHA256. The
 * signing key is derived from weir's secret key (WEIR_SECRET_KEY, which every
 * node of a cluster shares, or the single node's key file), so a session is
 * good on every node; nothing about it is stored. A session ends at its
 * expiry, at sign-out (the cookie is cleared), or when its API key is
 * deleted (the key is looked up on every request). Forms carry a CSRF token
 * bound to the session.
 */
import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto'

export const sessionCookie = 'weir_session'

/** How long a session lasts (12 hours). */
export const sessionTtlMs = 12 * 60 * 60 * 1000

/** The key that signs console sessions, derived from weir's secret key. */
export function sessionKeyFrom(secretKey: Uint8Array): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', secretKey, new Uint8Array(0), 'weir console sessions', 32),
  )
}

const sign = (key: Uint8Array, text: string): string =>
  createHmac('sha256', key).update(text).digest('base64url')

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a)
  const y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** The cookie value of a new session of the API key `keyId`. */
export function issueSession(key: Uint8Array, keyId: string, now: number): string {
  const body = `${keyId}.${now + sessionTtlMs}`
  return `${body}.${sign(key, body)}`
}

/** The session a cookie value carries, if it is signed by `key` and not expired. */
export function readSession(
  key: Uint8Array,
  value: string | undefined,
  now: number,
): { readonly keyId: string; readonly expires: number } | undefined {
  const match = /^([0-9a-f]{16})\.(\d{1,15})\.([A-Za-z0-9_-]{43})$/.exec(value ?? '')
  if (!match) return undefined
  const [, keyId = '', expires = '', signature = ''] = match
  if (!equal(signature, sign(key, `${keyId}.${expires}`))) return undefined
  if (Number(expires) <= now) return undefined
  return { keyId, expires: Number(expires) }
}

/** The CSRF token of the session whose cookie value is `session`. */
export const csrfToken = (key: Uint8Array, session: string): string => sign(key, `csrf.${session}`)

/** Whether `token` is the CSRF token of `session`. */
export const csrfValid = (key: Uint8Array, session: string, token: string | undefined): boolean =>
  token !== undefined && equal(token, csrfToken(key, session))
