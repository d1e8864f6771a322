/**
 * The bounded log of one attempt: what the task wrote to stdout and stderr, in
 * order, kept up to a byte limit; beyond it bytes are counted, not kept.
 */

const decoder = new TextDecoder()

export class AttemptLog {
  readonly limit: number
  #chunks: Uint8Array[] = []
  #kept = 0
  #dropped = 0

  constructor(limit: number) {
    this.limit = limit
  }

  write(bytes: Uint8Array): void {
    const room = this.limit - this.#kept
    if (room <= 0) {
      this.#dropped += bytes.length
      return
    }
    const kept = bytes.length <= room ? bytes : bytes.subarray(0, room)
    this.#chunks.push(kept.slice())
    this.#kept += kept.length
    this.#dropped += bytes.length - kept.length
  }

  /**
   * The log as text; a last line says how much was cut when the limit was
   * reached. `mask` sees the kept text (and whether it was cut) before that
   * line is added, so an attempt's secret values never leave the worker.
   */
  text(mask: (kept: string, cut: boolean) => string = (kept) => kept): string {
    const all = new Uint8Array(this.#kept)
    let offset = 0
    for (const chunk of this.#chunks) {
      all.set(chunk, offset)
      offset += chunk.length
    }
    const text = mask(decoder.decode(all), this.#dropped > 0)
    return this.#dropped > 0 ? `${text}\n[log truncated: ${this.#dropped} more bytes]` : text
  }

  get truncatedBytes(): number {
    return this.#dropped
  }

  reset(): void {
    this.#chunks = []
    this.#kept = 0
    this.#dropped = 0
  }
}
