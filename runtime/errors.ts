/**
 * weir's error taxonomy: the faults a caller can act on, each with a stable
 * `code` (matched by tests and API clients) and the HTTP status it maps to.
 * Expected outcomes (a task failing, a flow with type errors) are data, not
 * exceptions; these are for rejected requests and broken inputs.
 */
import type { Problem } from '../types/index.js'

export type ErrorCode =
  | 'invalid_request'
  | 'invalid_component'
  | 'signature_mismatch'
  | 'import_not_allowed'
  | 'unsupported_type'
  | 'not_found'
  | 'conflict'
  | 'build_failed'
  | 'internal'

const statusOf: Record<ErrorCode, number> = {
  invalid_request: 400,
  invalid_component: 422,
  signature_mismatch: 422,
  import_not_allowed: 422,
  unsupported_type: 422,
  not_found: 404,
  conflict: 409,
  build_failed: 422,
  internal: 500,
}

export class WeirError extends Error {
  readonly code: ErrorCode
  readonly status: number
  /** Every problem found, each with a pointer, when there are several. */
  readonly problems: Problem[]

  constructor(code: ErrorCode, message: string, problems: Problem[] = []) {
    super(message)
    this.name = 'WeirError'
    this.code = code
    this.status = statusOf[code]
    this.problems = problems
  }
}

/** Bytes that are not a well-formed WebAssembly component; says where and why. */
export class InvalidComponentError extends WeirError {
  readonly offset: number | undefined
  constructor(message: string, offset?: number) {
    super('invalid_component', offset === undefined ? message : `${message} (at byte ${offset})`)
    this.name = 'InvalidComponentError'
    this.offset = offset
  }
}
