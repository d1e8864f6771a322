/** Capping the linear memories of core modules. */
import { parse } from '@bytecodealliance/jco'
import { describe, expect, test } from 'vitest'
import { capMemory } from '../../../runtime/components/cap-memory.js'

async function memoryOf(wat: string, maxPages: number): Promise<WebAssembly.Memory> {
  const module = await WebAssembly.compile(capMemory(await parse(wat), maxPages))
  const instance = await WebAssembly.instantiate(module)
  return instance.exports.memory as WebAssembly.Memory
}

describe('capMemory', () => {
  test('a memory without a maximum gets the cap', async () => {
    const memory = await memoryOf('(module (memory (export "memory") 1) (func (export "f")))', 10)
    expect(memory.grow(9)).toBe(1)
    expect(() => memory.grow(1)).toThrow(RangeError)
  })

  test('a larger maximum is lowered to the cap, a smaller one is kept', async () => {
    const lowered = await memoryOf('(module (memory (export "memory") 2 1000))', 4)
    expect(() => lowered.grow(3)).toThrow(RangeError)
    const kept = await memoryOf('(module (memory (export "memory") 1 3))', 100)
    expect(() => kept.grow(3)).toThrow(RangeError)
    expect(kept.grow(2)).toBe(1)
  })

  test('a memory that starts above the cap is refused', async () => {
    const module = await parse('(module (memory 64))')
    expect(() => capMemory(module, 16)).toThrow(
      "a memory needs 4 MiB from the start, over the task's limit of 1 MiB",
    )
  })

  test('other sections are kept byte for byte', async () => {
    const wat =
      '(module (memory 1) (func (export "answer") (result i32) i32.const 42) (data (i32.const 0) "hi"))'
    const instance = await WebAssembly.instantiate(
      await WebAssembly.compile(capMemory(await parse(wat), 8)),
    )
    expect((instance.exports.answer as () => number)()).toBe(42)
  })
})
