/**
 * A command line that is wrong in a way Commander cannot see (an `--input`
 * that is not JSON, an `@file` that cannot be read): the entry point prints
 * it and exits 2, as for Commander's own usage errors, not 1 (the command ran
 * and failed).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}
