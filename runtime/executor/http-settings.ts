/**
 * The worker pool's outbound-HTTP settings, resolved once at start: the
 * response body cap (default 16 MiB) and the extra CA file, read here so a
 * bad path stops the pool from starting rather than failing requests later.
 */
import { readFile } from 'node:fs/promises'
import { WeirError } from '../errors.js'
import type { HttpSettings } from './sandbox/http/session.js'

/** What the pool's options say about outbound HTTP (WEIR_MAX_HTTP_RESPONSE_MB, WEIR_EXTRA_CA). */
export interface HttpOptions {
  /** Response bodies are cut beyond this many bytes (default 16 MiB). */
  readonly maxResponseBytes?: number
  /** Path of a PEM file of CA certificates trusted besides Node's store. */
  readonly extraCa?: string
}

export const defaultMaxResponseBytes = 16 * 2 ** 20

export async function resolveHttpSettings(options: HttpOptions = {}): Promise<HttpSettings> {
  const { extraCa } = options
  return {
    maxResponseBytes: options.maxResponseBytes ?? defaultMaxResponseBytes,
    extraCa: extraCa
      ? await readFile(extraCa, 'utf8').catch((error: Error) => {
          throw new WeirError('internal', `cannot read the extra CA file: ${error.message}`)
        })
      : undefined,
  }
}
