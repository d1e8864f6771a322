/**
 * Skips core WebAssembly type definitions found inside component types
 * (module types, function/struct/array types and recursion groups): weir
 * needs their extent, not their meaning.
 */
import type { BinaryReader } from './binary-reader.js'

function skipLimits(r: BinaryReader): void {
  const flags = r.u8()
  r.skipLeb()
  if (flags & 0x01) r.skipLeb()
}

function skipHeapType(r: BinaryReader): void {
  r.s33()
}

function skipValType(r: BinaryReader): void {
  const byte = r.u8()
  if (byte === 0x63 || byte === 0x64) skipHeapType(r)
  else if (byte < 0x68 || byte > 0x7f)
    r.fail(`unknown core value type 0x${byte.toString(16)}`, r.position - 1)
}

function skipFieldType(r: BinaryReader): void {
  const byte = r.peek()
  if (byte === 0x78 || byte === 0x77) r.u8()
  else skipValType(r)
  r.u8()
}

function skipCompType(r: BinaryReader): void {
  const form = r.u8()
  if (form === 0x60) {
    r.vec(() => skipValType(r))
    r.vec(() => skipValType(r))
  } else if (form === 0x5f) {
    r.vec(() => skipFieldType(r))
  } else if (form === 0x5e) {
    skipFieldType(r)
  } else {
    r.fail(`unknown core composite type 0x${form.toString(16)}`, r.position - 1)
  }
}

function skipSubType(r: BinaryReader): void {
  const byte = r.peek()
  if (byte === 0x50 || byte === 0x4f) {
    r.u8()
    r.vec(() => r.u32())
  }
  skipCompType(r)
}

function skipRecType(r: BinaryReader): void {
  if (r.peek() === 0x4e) {
    r.u8()
    r.vec(() => skipSubType(r))
  } else {
    skipSubType(r)
  }
}

function skipCoreExternType(r: BinaryReader): void {
  const kind = r.u8()
  switch (kind) {
    case 0x00:
      r.u32()
      return
    case 0x01:
      skipValType(r)
      skipLimits(r)
      return
    case 0x02:
      skipLimits(r)
      return
    case 0x03:
      skipValType(r)
      r.u8()
      return
    case 0x04:
      r.u8()
      r.u32()
      return
    default:
      r.fail(`unknown core extern kind 0x${kind.toString(16)}`, r.position - 1)
  }
}

function skipModuleDecl(r: BinaryReader): void {
  const kind = r.u8()
  switch (kind) {
    case 0x00:
      r.name()
      r.name()
      skipCoreExternType(r)
      return
    case 0x01:
      skipRecType(r)
      return
    case 0x02:
      r.u8()
      r.u8()
      r.u32()
      r.u32()
      return
    case 0x03:
      r.name()
      skipCoreExternType(r)
      return
    default:
      r.fail(`unknown module type declarator 0x${kind.toString(16)}`, r.position - 1)
  }
}

/** `core:type` inside a component type: a module type, or a (recursive) core type. */
export function skipCoreType(r: BinaryReader): void {
  const byte = r.peek()
  if (byte === 0x50) {
    r.u8()
    r.vec(() => skipModuleDecl(r))
  } else if (byte === 0x00) {
    r.u8()
    skipSubType(r)
  } else {
    skipRecType(r)
  }
}
