/**
 * A cursor over WebAssembly binary data: LEB128 integers, names, vectors,
 * bounded sub-readers for sections. Every read past the end, or of a malformed
 * integer, throws an InvalidComponentError naming the byte offset.
 */
import { InvalidComponentError } from '../errors.js'

const decoder = new TextDecoder('utf-8', { fatal: true })

export class BinaryReader {
  readonly bytes: Uint8Array
  position: number
  readonly end: number

  constructor(bytes: Uint8Array, start = 0, end = bytes.length) {
    this.bytes = bytes
    this.position = start
    this.end = end
  }

  get done(): boolean {
    return this.position >= this.end
  }

  fail(message: string, at = this.position): never {
    throw new InvalidComponentError(message, at)
  }

  u8(): number {
    if (this.position >= this.end) this.fail('unexpected end of data')
    return this.bytes[this.position++] as number
  }

  peek(): number {
    if (this.position >= this.end) this.fail('unexpected end of data')
    return this.bytes[this.position] as number
  }

  u32(): number {
    let result = 0
    let shift = 0
    const start = this.position
    for (;;) {
      const byte = this.u8()
      if (shift === 28 && byte > 0x0f) this.fail('integer too large for u32', start)
      result += (byte & 0x7f) * 2 ** shift
      if ((byte & 0x80) === 0) return result
      shift += 7
    }
  }

  /** A signed LEB128 of up to 33 bits (component value types use it). */
  s33(): number {
    let result = 0
    let shift = 0
    const start = this.position
    for (;;) {
      const byte = this.u8()
      if (shift > 28) this.fail('integer too large for s33', start)
      result += (byte & 0x7f) * 2 ** shift
      shift += 7
      if ((byte & 0x80) === 0) {
        if (byte & 0x40) result -= 2 ** shift
        return result
      }
    }
  }

  /** Skips a LEB128 integer of any width (core instructions and limits). */
  skipLeb(): void {
    while (this.u8() & 0x80) {
      /* continuation bytes */
    }
  }

  bytesOf(length: number): Uint8Array {
    if (this.position + length > this.end)
      this.fail(`${length} bytes announced but only ${this.end - this.position} remain`)
    const out = this.bytes.subarray(this.position, this.position + length)
    this.position += length
    return out
  }

  name(): string {
    const length = this.u32()
    const start = this.position
    const raw = this.bytesOf(length)
    try {
      return decoder.decode(raw)
    } catch {
      return this.fail('name is not valid UTF-8', start)
    }
  }

  vec<T>(read: () => T): T[] {
    const count = this.u32()
    if (count > this.end - this.position)
      this.fail(`vector of ${count} items cannot fit in the remaining data`)
    const out: T[] = []
    for (let i = 0; i < count; i++) out.push(read())
    return out
  }

  /** A reader over the next `length` bytes, advancing this one past them. */
  sub(length: number): BinaryReader {
    const start = this.position
    this.bytesOf(length)
    return new BinaryReader(this.bytes, start, start + length)
  }
}
