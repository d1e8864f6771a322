/**
 * JSON Pointers (RFC 6901): how weir names a place in a document or a value in
 * every error it reports.
 */

/** Escapes one reference token (`~` → `~0`, `/` → `~1`). */
export function escapeToken(token: string | number): string {
  return String(token).replaceAll('~', '~0').replaceAll('/', '~1')
}

/** Appends reference tokens to a pointer: `pointer('/steps', 2, 'id')` → `/steps/2/id`. */
export function pointer(base: string, ...tokens: (string | number)[]): string {
  let out = base
  for (const token of tokens) out += `/${escapeToken(token)}`
  return out
}

/** Splits a pointer into its unescaped reference tokens. */
export function parsePointer(ptr: string): string[] {
  if (ptr === '') return []
  return ptr
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'))
}
