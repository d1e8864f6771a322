/** Decoding WIT signatures from component binaries of three toolchains, and rejecting bad bytes. */
import { readFileSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { decodeComponent } from '../../../runtime/components/decode-component.js'
import { formatFuncType } from '../../../runtime/components/wit-types.js'
import { InvalidComponentError } from '../../../runtime/errors.js'
import { probeComponent } from '../../fixtures/probe-component.js'
import { dummyComponent, watComponent } from '../../fixtures/wat-components.js'

const signatures = (bytes: Uint8Array) =>
  Object.fromEntries(decodeComponent(bytes).exports.map((e) => [e.name, formatFuncType(e.func)]))

const allKindsWit = `package test:kinds@0.1.0;
interface shapes {
  resource blob { constructor(size: u32); size: func() -> u32; }
  variant shape { circle(f32), square(u16), none }
  make: func(s: shape) -> blob;
  measure: func(b: borrow<blob>) -> u32;
}
interface pipes {
  pipe: func(s: stream<u8>) -> future<string>;
}
world all {
  record point { x: s64, y-pos: u64 }
  flags perms { read, write-all }
  enum color { red, dark-green }
  export scalars: func(a: bool, b: s8, c: u8, d: s16, e: u16, f: s32, g: u32, h: s64, i: u64, j: f32, k: f64, l: char, m: string) -> bool;
  export compounds: func(p: point, l: list<u32>, t: tuple<string, u8>, o: option<point>, r: result<point, string>, fl: perms, c: color, bytes: list<u8>) -> result<_, color>;
  export fixed: func(v: list<u8, 4>) -> u32;
  export shapes;
  export pipes;
}`

describe('decodeComponent', () => {
  test('wit-component (WAT toolchain): every WIT type kind, interfaces, resources, streams', async () => {
    const bytes = await dummyComponent(allKindsWit, 'all')
    expect(signatures(bytes)).toEqual({
      scalars:
        'func(a: bool, b: s8, c: u8, d: s16, e: u16, f: s32, g: u32, h: s64, i: u64, j: f32, k: f64, l: char, m: string) -> bool',
      compounds:
        'func(p: record { x: s64, y-pos: u64 }, l: list<u32>, t: tuple<string, u8>, o: option<record { x: s64, y-pos: u64 }>, r: result<record { x: s64, y-pos: u64 }, string>, fl: flags { read, write-all }, c: enum { red, dark-green }, bytes: list<u8>) -> result<_, enum { red, dark-green }>',
      fixed: 'func(v: list<u8, 4>) -> u32',
      'test:kinds/shapes@0.1.0#[constructor]blob': 'func(size: u32) -> blob',
      'test:kinds/shapes@0.1.0#[method]blob.size': 'func(self: borrow<blob>) -> u32',
      'test:kinds/shapes@0.1.0#make': 'func(s: variant { circle(f32), square(u16), none }) -> blob',
      'test:kinds/shapes@0.1.0#measure': 'func(b: borrow<blob>) -> u32',
      'test:kinds/pipes@0.1.0#pipe': 'func(s: stream<u8>) -> future<string>',
    })
    expect(decodeComponent(bytes).imports).toEqual([
      { name: 'point', sort: 'type', functions: [], resource: false },
      { name: 'perms', sort: 'type', functions: [], resource: false },
      { name: 'color', sort: 'type', functions: [], resource: false },
    ])
  })

  test('types are decoded as structures, not only as text', async () => {
    const bytes = await dummyComponent(allKindsWit, 'all')
    const fixed = decodeComponent(bytes).exports.find((e) => e.name === 'fixed')
    expect(fixed?.func).toEqual({
      params: [{ name: 'v', type: { kind: 'list', element: { kind: 'u8' }, length: 4 } }],
      result: { kind: 'u32' },
      async: false,
    })
  })

  test('componentize-js: a record of every kind, a result, an interface, and WASI imports', () => {
    const bytes = new Uint8Array(
      readFileSync(new URL('../../fixtures/js-kinds/dist/js-kinds.wasm', import.meta.url)),
    )
    const order =
      'record { id: string, items: list<record { sku: string, qty: u32, unit-price: f64 }>, note: option<string>, color: enum { red, dark-green }, shape: variant { circle(f32), square(u16), none }, perms: flags { read, write-all }, pair: tuple<u8, s8>, big: u64, delta: s64, small: s16, medium: u16, initial: char, ok: bool, outcome: result<s32, string> }'
    expect(signatures(bytes)).toEqual({
      run: `func(input: ${order}) -> result<${order}, string>`,
      'weir:kinds/calc#add': 'func(a: s32, b: s32) -> s32',
    })
    const imports = decodeComponent(bytes).imports
    expect(
      imports.filter((i) => i.sort === 'instance').map((i) => i.name.replace(/@.*/, '')),
    ).toEqual(
      expect.arrayContaining([
        'wasi:cli/stdout',
        'wasi:io/streams',
        'wasi:clocks/wall-clock',
        'wasi:random/random',
      ]),
    )
    expect(imports.filter((i) => i.name.startsWith('wasi:http'))).toEqual([])
  })

  test('hand-written WAT: the sandbox probe', async () => {
    expect(signatures(await probeComponent())).toEqual({
      add: 'func(a: u32, b: u32) -> u32',
      tick: 'func(fail: bool) -> u32',
      spin: 'func() -> u32',
      grow: 'func(mib: u32) -> u32',
      quit: 'func(code: u8) -> u32',
      'count-env': 'func() -> u32',
      shout: 'func(kib: u32) -> u32',
      'read-file': 'func() -> result<u32, string>',
    })
  })

  test('an interface export goes through a nested component', async () => {
    const wit =
      'package a:b; world w { export greet: interface { hello: func(name: string) -> string; } }'
    const wat = `(module (memory (export "memory") 1)
      (func (export "greet#hello") (param i32 i32) (result i32) i32.const 0)
      (func (export "cabi_realloc") (param i32 i32 i32 i32) (result i32) i32.const 64))`
    expect(signatures(await watComponent(wat, wit, 'w'))).toEqual({
      'greet#hello': 'func(name: string) -> string',
    })
  })

  test.each<[string, Uint8Array, string]>([
    ['empty bytes', new Uint8Array(), '0 bytes is too short for a WebAssembly binary (at byte 0)'],
    [
      'not WebAssembly',
      new TextEncoder().encode('hello, world!'),
      'not a WebAssembly binary (it does not start with \\0asm) (at byte 0)',
    ],
    [
      'a core module',
      Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]),
      'this is a core WebAssembly module, not a component: wrap it in a component with a WIT world (for example with wasm-tools component new) (at byte 4)',
    ],
    [
      'an unknown component version',
      Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0c, 0x00, 0x01, 0x00]),
      'component binary version 0xc is not supported (expected 0xd) (at byte 4)',
    ],
    [
      'a section that runs past the end',
      Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x07, 0x20, 0x01]),
      '32 bytes announced but only 1 remain (at byte 10)',
    ],
    [
      'an unknown section',
      Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x0d, 0x00, 0x01, 0x00, 0x33, 0x00]),
      'unknown section id 51 (at byte 8)',
    ],
  ])('rejects %s with a clear error', (_name, bytes, message) => {
    expect(() => decodeComponent(bytes)).toThrow(InvalidComponentError)
    expect(() => decodeComponent(bytes)).toThrow(message)
  })

  test('rejects a truncated component without crashing', async () => {
    const bytes = await probeComponent()
    for (const cut of [9, 100, 500, bytes.length - 3]) {
      expect(() => decodeComponent(bytes.subarray(0, cut))).toThrow(InvalidComponentError)
    }
  })
})
