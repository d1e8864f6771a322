/**
 * Masking an attempt's secret values in the worker, before anything else sees
 * what the task produced: its output and error payload (before they are
 * measured, validated or posted), every failure's message, and its log. The
 * masker is `runtime/secrets/mask.ts`'s (the value, its base64 and URL-encoded
 * forms become `***`); this adds what the executor needs around it: a log cut
 * at its byte limit may end in the first characters of a secret, which are
 * masked too.
 */
import type { JsonValue } from '../../types/index.js'
import { Masker, mask, secretForms } from '../secrets/mask.js'
import type { AttemptFailure } from './executor.js'

/** The shortest start of a secret form at the end of a cut log that is masked (shorter ones say little). */
const shortestCutStart = 4

/** An attempt's masker: the identity when the attempt has no secret values. */
export class AttemptMasking {
  readonly #masker: Masker
  readonly #forms: string[]

  constructor(secretValues: readonly string[]) {
    this.#masker = new Masker(secretValues)
    this.#forms = secretValues.length > 0 ? [...new Set(secretValues.flatMap(secretForms))] : []
  }

  get empty(): boolean {
    return this.#masker.empty
  }

  json(value: JsonValue): JsonValue {
    return this.#masker.json(value)
  }

  text(text: string): string {
    return this.#masker.text(text)
  }

  /** A failure with its message and details masked. */
  failure(failure: AttemptFailure): AttemptFailure {
    if (this.empty) return failure
    const message = this.text(failure.message)
    return failure.details === undefined
      ? { ...failure, message }
      : { ...failure, message, details: this.json(failure.details) }
  }

  /** The kept part of a log; `cut`: the log was cut at its limit, so its end may be the start of a secret. */
  log(kept: string, cut: boolean): string {
    if (this.empty) return kept
    const masked = this.text(kept)
    if (!cut) return masked
    for (const form of this.#forms) {
      for (let length = form.length - 1; length >= shortestCutStart; length--) {
        if (masked.endsWith(form.slice(0, length))) return masked.slice(0, -length) + mask
      }
    }
    return masked
  }
}

/** The masking of an attempt without secrets. */
export const noMasking = new AttemptMasking([])
