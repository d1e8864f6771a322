/**
 * Decodes a component binary into what weir needs to know about it: its
 * exported functions (top-level `run`, or `iface#func` inside an exported
 * interface) with structured WIT types, and its imports. Nested components are
 * followed through instantiation and aliases. Malformed bytes, and core
 * modules passed where a component is expected, raise InvalidComponentError.
 */
import { InvalidComponentError } from '../errors.js'
import { BinaryReader } from './binary-reader.js'
import { readAlias, readDefType, readExternName, readExternType } from './decode-types.js'
import { type Extern, type ExternMap, Scope, type TypeEntry } from './index-spaces.js'
import type { FuncType } from './wit-types.js'

export interface ExportedFunction {
  /** `run`, or `iface#func` for a function of an exported interface. */
  readonly name: string
  readonly func: FuncType
}

export interface ComponentImport {
  readonly name: string
  readonly sort: Extern['sort']
  /** For an imported interface: the names of its functions. */
  readonly functions: readonly string[]
  /** For an imported type: whether it is an abstract resource (which the host would have to provide). */
  readonly resource: boolean
}

export interface DecodedComponent {
  readonly exports: readonly ExportedFunction[]
  readonly imports: readonly ComponentImport[]
}

const componentVersion = 0x0d

export function decodeComponent(bytes: Uint8Array): DecodedComponent {
  const r = new BinaryReader(bytes)
  readPreamble(r)
  const { imports, exports } = readComponentBody(r, new Scope())
  return { exports: flattenExports(exports), imports: describeImports(imports) }
}

function readPreamble(r: BinaryReader): void {
  if (r.end < 8) r.fail(`${r.end} bytes is too short for a WebAssembly binary`, 0)
  const magic = r.bytesOf(4)
  if (magic[0] !== 0x00 || magic[1] !== 0x61 || magic[2] !== 0x73 || magic[3] !== 0x6d) {
    r.fail('not a WebAssembly binary (it does not start with \\0asm)', 0)
  }
  const version = r.u8() | (r.u8() << 8)
  const layer = r.u8() | (r.u8() << 8)
  if (layer === 0) {
    throw new InvalidComponentError(
      'this is a core WebAssembly module, not a component: wrap it in a component with a WIT world (for example with wasm-tools component new)',
      4,
    )
  }
  if (layer !== 1) r.fail(`unknown WebAssembly layer ${layer}`, 6)
  if (version !== componentVersion) {
    r.fail(
      `component binary version 0x${version.toString(16)} is not supported (expected 0x${componentVersion.toString(16)})`,
      4,
    )
  }
}

function readComponentBody(
  r: BinaryReader,
  scope: Scope,
): { imports: ExternMap; exports: ExternMap } {
  const imports: ExternMap = new Map()
  const exports: ExternMap = new Map()
  while (!r.done) {
    const id = r.u8()
    const size = r.u32()
    const section = r.sub(size)
    readSection(section, id, scope, imports, exports)
    if (!section.done)
      section.fail(`section ${id} has ${section.end - section.position} bytes left over`)
  }
  return { imports, exports }
}

function readSection(
  r: BinaryReader,
  id: number,
  scope: Scope,
  imports: ExternMap,
  exports: ExternMap,
): void {
  switch (id) {
    case 0: // custom
    case 1: // core module
    case 2: // core instances
    case 3: // core types
    case 9: // start
    case 12: // values
      r.position = r.end
      return
    case 4: {
      readPreamble(r)
      const nested = readComponentBody(r, new Scope(scope))
      scope.components.push(nested)
      return
    }
    case 5:
      r.vec(() => readInstance(r, scope))
      return
    case 6:
      r.vec(() => readAlias(r, scope))
      return
    case 7:
      r.vec(() => scope.types.push(readDefType(r, scope)))
      return
    case 8:
      r.vec(() => readCanon(r, scope))
      return
    case 10:
      r.vec(() => {
        const name = readExternName(r)
        const item = readExternType(r, scope, name)
        imports.set(name, item)
        scope.add(item)
      })
      return
    case 11:
      r.vec(() => {
        const name = readExternName(r)
        const item = readSortItem(r, scope)
        const ascribed = r.u8() === 0x01 ? readExternType(r, scope, name) : undefined
        const exported = ascribed ?? item
        if (item.sort === 'type') nameResource(item.entry, name)
        exports.set(name, exported)
        scope.add(exported)
      })
      return
    default:
      r.fail(`unknown section id ${id}`, r.position - 2)
  }
}

/** Gives a resource the name it is exported under (over `resource` and wit-component's `import-type-…`). */
function nameResource(entry: TypeEntry, name: string): void {
  if (
    entry.sort === 'resource' &&
    (entry.name === 'resource' || entry.name.startsWith('import-type-'))
  ) {
    entry.name = name
  }
}

function readSortItem(r: BinaryReader, scope: Scope): Extern {
  const sort = r.u8()
  if (sort === 0x00) {
    const coreSort = r.u8()
    r.u32()
    return coreSort === 0x11
      ? { sort: 'module' }
      : r.fail('a core item cannot be exported from a component')
  }
  return scope.item(sort, r.u32(), r)
}

function readInstance(r: BinaryReader, scope: Scope): void {
  const form = r.u8()
  if (form === 0x00) {
    const index = r.u32()
    const component = scope.components[index] ?? r.fail(`component index ${index} is not defined`)
    r.vec(() => {
      r.name()
      readSortItem(r, scope)
    })
    scope.instances.push(component.exports)
  } else if (form === 0x01) {
    const exports: ExternMap = new Map()
    r.vec(() => {
      const name = readExternName(r)
      exports.set(name, readSortItem(r, scope))
    })
    scope.instances.push(exports)
  } else {
    r.fail(`unknown instance form 0x${form.toString(16)}`, r.position - 1)
  }
}

function skipOpts(r: BinaryReader): void {
  r.vec(() => {
    const opt = r.u8()
    if (opt === 0x03 || opt === 0x04 || opt === 0x05 || opt === 0x07) r.u32()
    else if (opt > 0x07) r.fail(`unknown canonical option 0x${opt.toString(16)}`, r.position - 1)
  })
}

/** `canon`: a lift adds a component function; the others define core functions. */
function readCanon(r: BinaryReader, scope: Scope): void {
  const op = r.u8()
  switch (op) {
    case 0x00: {
      if (r.u8() !== 0x00) r.fail('canon lift expects a core function', r.position - 1)
      r.u32()
      skipOpts(r)
      const type = scope.type(r.u32(), r)
      if (type.sort !== 'func')
        r.fail(`canon lift refers to a ${type.sort} type, not a function type`)
      scope.funcs.push(type.func)
      return
    }
    case 0x01:
      if (r.u8() !== 0x00) r.fail('canon lower expects a function', r.position - 1)
      r.u32()
      skipOpts(r)
      return
    case 0x09:
      if (r.u8() === 0x00) r.s33()
      else r.u8()
      skipOpts(r)
      return
    case 0x0f:
    case 0x10:
    case 0x16:
    case 0x17:
      r.u32()
      skipOpts(r)
      return
    case 0x1c:
    case 0x1d:
      skipOpts(r)
      return
    case 0x0a:
    case 0x0b:
      r.u8()
      r.u32()
      return
    case 0x20:
    case 0x21:
      r.u8()
      r.u32()
      return
    case 0x27:
      r.u32()
      r.u32()
      return
    case 0x40:
      r.u8()
      r.u32()
      return
    case 0x41:
      r.u8()
      r.u32()
      r.u32()
      return
    case 0x02:
    case 0x03:
    case 0x04:
    case 0x0e:
    case 0x13:
    case 0x14:
    case 0x15:
    case 0x1a:
    case 0x1b:
      r.u32()
      return
    case 0x06:
    case 0x0c:
    case 0x29:
    case 0x2a:
    case 0x2b:
    case 0x2c:
    case 0x2d:
    case 0x42:
      r.u8()
      return
    case 0x11:
    case 0x12:
    case 0x18:
    case 0x19:
      r.u32()
      r.u8()
      return
    case 0x05:
    case 0x0d:
    case 0x1e:
    case 0x1f:
    case 0x22:
    case 0x23:
    case 0x24:
    case 0x25:
    case 0x26:
    case 0x28:
      return
    default:
      r.fail(`unknown canonical definition 0x${op.toString(16)}`, r.position - 1)
  }
}

function flattenExports(exports: ExternMap): ExportedFunction[] {
  const out: ExportedFunction[] = []
  for (const [name, item] of exports) {
    if (item.sort === 'func') out.push({ name, func: item.func })
    if (item.sort === 'instance') {
      for (const [inner, member] of item.exports) {
        if (member.sort === 'func') out.push({ name: `${name}#${inner}`, func: member.func })
      }
    }
  }
  return out
}

function describeImports(imports: ExternMap): ComponentImport[] {
  return [...imports].map(([name, item]) => ({
    name,
    sort: item.sort,
    functions:
      item.sort === 'instance'
        ? [...item.exports].filter(([, m]) => m.sort === 'func').map(([n]) => n)
        : [],
    resource: item.sort === 'type' && item.entry.sort === 'resource',
  }))
}
