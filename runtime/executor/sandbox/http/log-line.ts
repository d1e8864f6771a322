/**
 * The attempt-log lines of outbound HTTP: one per request (method, origin,
 * path, status, bytes, milliseconds) and one per refusal. Headers and bodies
 * never appear; a query string's values are masked, since they often carry
 * tokens.
 */

/** `/p?token=abc&x` → `/p?token=***&x`: parameter names stay, values are masked. */
export function maskQuery(pathWithQuery: string): string {
  const q = pathWithQuery.indexOf('?')
  if (q < 0) return pathWithQuery
  const masked = pathWithQuery
    .slice(q + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=')
      return eq < 0 ? pair : `${pair.slice(0, eq)}=***`
    })
    .join('&')
  return `${pathWithQuery.slice(0, q)}?${masked}`
}

export interface RequestSummary {
  readonly method: string
  readonly origin: string
  readonly path: string
}

/** `http GET https://api.example.com/items?key=*** 200 1234 B 56 ms` (and why it ended early, if it did). */
export function requestLine(
  request: RequestSummary,
  outcome: { status?: number; bytes: number; ms: number; problem?: string },
): string {
  const target = `http ${request.method} ${request.origin}${maskQuery(request.path)}`
  const ms = Math.round(outcome.ms)
  if (outcome.status === undefined) return `${target} failed after ${ms} ms: ${outcome.problem}\n`
  const line = `${target} ${outcome.status} ${outcome.bytes} B ${ms} ms`
  return outcome.problem ? `${line}: ${outcome.problem}\n` : `${line}\n`
}

/** The refusal line the issue and the README name exactly. */
export function refusedLine(
  origin: string,
  ref: string,
  allow: readonly string[] | undefined,
): string {
  const allows = allow && allow.length > 0 ? `allows ${allow.join(', ')}` : 'has no http capability'
  return `http request to ${origin} refused: task ${ref} ${allows}\n`
}
