/**
 * Errors as `application/problem+json` (RFC 9457): `type`, `title`, `status`,
 * `detail`, the stable `code`, and for validation failures `errors`, each with
 * a JSON Pointer into the body (or the name of the query, path or header
 * parameter) and a message.
 */
import { HTTPException } from 'hono/http-exception'
import type { Problem } from '../../types/index.js'
import { type ErrorCode, titleOf, WeirError } from '../errors.js'

export interface ProblemItem {
  readonly pointer?: string
  readonly parameter?: string
  readonly code?: string
  readonly message: string
}

/** A parameter's problem: `parameter` names it instead of a pointer into the body. */
export class ParameterError extends WeirError {
  readonly items: ProblemItem[]
  constructor(items: ProblemItem[]) {
    const first = items[0]
    super('invalid_request', `parameter "${first?.parameter}": ${first?.message}`)
    this.items = items
  }
}

export const problemType = (code: ErrorCode) =>
  `https://weir.dev/problems/${code.replaceAll('_', '-')}`

function asWeirError(error: unknown): WeirError {
  if (error instanceof WeirError) return error
  if (error instanceof HTTPException) {
    const code: ErrorCode = error.status === 413 ? 'payload_too_large' : 'invalid_request'
    return new WeirError(code, error.message)
  }
  return new WeirError('internal', 'an internal error occurred; the server log has the details')
}

const problemItem = (p: Problem): ProblemItem => ({
  pointer: p.pointer,
  code: p.code,
  message: p.message,
})

/** The problem+json body and status for any error a handler throws. */
export function problemOf(error: unknown): { status: number; body: Record<string, unknown> } {
  const weir = asWeirError(error)
  const items = weir instanceof ParameterError ? weir.items : weir.problems.map(problemItem)
  return {
    status: weir.status,
    body: {
      type: problemType(weir.code),
      title: titleOf[weir.code],
      status: weir.status,
      detail: weir.message,
      code: weir.code,
      ...(items.length > 0 ? { errors: items } : {}),
    },
  }
}
