/**
 * Caps the linear memories a core module defines: every memory gets a maximum
 * of at most `maxPages` (64 KiB each), so that growing past the task's memory
 * limit fails inside the guest instead of taking the host's memory. A worker's
 * resource limits cap only the JS heap; this caps WebAssembly memory.
 */
import { WeirError } from '../errors.js'
import { BinaryReader } from './binary-reader.js'

export const pageSize = 65536

function writeU32(out: number[], value: number): void {
  let v = value
  do {
    let byte = v & 0x7f
    v = Math.floor(v / 128)
    if (v !== 0) byte |= 0x80
    out.push(byte)
  } while (v !== 0)
}

function capLimits(r: BinaryReader, out: number[], maxPages: number): void {
  const flags = r.u8()
  if (flags & 0x04) {
    // memory64: left as it is (no toolchain here emits it for tasks)
    out.push(flags)
    const start = r.position
    r.skipLeb()
    if (flags & 0x01) r.skipLeb()
    out.push(...r.bytes.subarray(start, r.position))
    return
  }
  const min = r.u32()
  const max = flags & 0x01 ? r.u32() : undefined
  if (min > maxPages) {
    throw new WeirError(
      'invalid_component',
      `a memory needs ${(min * pageSize) / 2 ** 20} MiB from the start, over the task's limit of ${(maxPages * pageSize) / 2 ** 20} MiB`,
    )
  }
  out.push(flags | 0x01)
  writeU32(out, min)
  writeU32(out, Math.min(max ?? maxPages, maxPages))
}

/** Returns the module with every defined memory capped at `maxPages`. */
export function capMemory(module: Uint8Array, maxPages: number): Uint8Array<ArrayBuffer> {
  const r = new BinaryReader(module)
  const header = r.bytesOf(8)
  const parts: Uint8Array[] = [header]
  while (!r.done) {
    const sectionStart = r.position
    const id = r.u8()
    const size = r.u32()
    const body = r.sub(size)
    if (id !== 5) {
      parts.push(module.subarray(sectionStart, body.end))
      continue
    }
    const out: number[] = []
    const count = body.u32()
    writeU32(out, count)
    for (let i = 0; i < count; i++) capLimits(body, out, maxPages)
    const section = [id]
    writeU32(section, out.length)
    parts.push(Uint8Array.from([...section, ...out]))
  }
  const total = parts.reduce((n, p) => n + p.length, 0)
  const result = new Uint8Array(total)
  let offset = 0
  for (const p of parts) {
    result.set(p, offset)
    offset += p.length
  }
  return result
}
