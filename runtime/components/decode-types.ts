/**
 * Decodes component type definitions (value types, function types, instance
 * and component types, resources) and the externs that refer to them,
 * following the component model's binary format.
 */
import type { BinaryReader } from './binary-reader.js'
import { skipCoreType } from './core-types.js'
import {
  type Extern,
  type ExternMap,
  type ResourceEntry,
  Scope,
  type TypeEntry,
} from './index-spaces.js'
import { type FuncType, type NamedType, primitiveByOpcode, type WitType } from './wit-types.js'

/** `valtype`: a primitive opcode, or an index into the type space. */
export function readValType(r: BinaryReader, scope: Scope): WitType {
  const primitive = primitiveByOpcode.get(r.peek())
  if (primitive) {
    r.u8()
    return { kind: primitive }
  }
  const at = r.position
  const index = r.s33()
  if (index < 0) r.fail(`unknown value type opcode 0x${(index & 0x7f).toString(16)}`, at)
  return scope.valueType(index, r)
}

function optional<T>(r: BinaryReader, read: () => T): T | undefined {
  const flag = r.u8()
  if (flag === 0x00) return undefined
  if (flag === 0x01) return read()
  return r.fail(
    `expected 0x00 or 0x01 for an optional value, found 0x${flag.toString(16)}`,
    r.position - 1,
  )
}

function readDefinedValType(r: BinaryReader, scope: Scope, opcode: number): WitType {
  const val = () => readValType(r, scope)
  switch (opcode) {
    case 0x72:
      return { kind: 'record', fields: r.vec(() => ({ name: r.name(), type: val() })) }
    case 0x71:
      return {
        kind: 'variant',
        cases: r.vec(() => {
          const name = r.name()
          const type = optional(r, val)
          if (r.u8() !== 0x00) r.fail('variant case refinement is not supported', r.position - 1)
          return { name, type }
        }),
      }
    case 0x70:
      return { kind: 'list', element: val() }
    case 0x67: {
      const element = val()
      return { kind: 'list', element, length: r.u32() }
    }
    case 0x6f:
      return { kind: 'tuple', types: r.vec(val) }
    case 0x6e:
      return { kind: 'flags', names: r.vec(() => r.name()) }
    case 0x6d:
      return { kind: 'enum', names: r.vec(() => r.name()) }
    case 0x6b:
      return { kind: 'option', type: val() }
    case 0x6a: {
      const ok = optional(r, val)
      return { kind: 'result', ok, err: optional(r, val) }
    }
    case 0x69:
      return { kind: 'own', resource: scope.resource(r.u32(), r) }
    case 0x68:
      return { kind: 'borrow', resource: scope.resource(r.u32(), r) }
    case 0x66:
      return { kind: 'stream', type: optional(r, val) }
    case 0x65:
      return { kind: 'future', type: optional(r, val) }
    case 0x63: {
      const key = val()
      return { kind: 'map', key, value: val() }
    }
    default: {
      const primitive = primitiveByOpcode.get(opcode)
      if (primitive) return { kind: primitive }
      return r.fail(`unknown type opcode 0x${opcode.toString(16)}`, r.position - 1)
    }
  }
}

function readFuncType(r: BinaryReader, scope: Scope, async: boolean): FuncType {
  const params: NamedType[] = r.vec(() => ({ name: r.name(), type: readValType(r, scope) }))
  const kind = r.u8()
  if (kind === 0x00) return { params, result: readValType(r, scope), async }
  if (kind === 0x01) {
    const named = r.vec(() => ({ name: r.name(), type: readValType(r, scope) }))
    if (named.length > 0) r.fail('functions with named results are not supported')
    return { params, result: undefined, async }
  }
  return r.fail(`unknown result list form 0x${kind.toString(16)}`, r.position - 1)
}

/** `deftype`: one entry of a type section or type declarator. */
export function readDefType(r: BinaryReader, scope: Scope): TypeEntry {
  const opcode = r.u8()
  switch (opcode) {
    case 0x40:
    case 0x43:
      return { sort: 'func', func: readFuncType(r, scope, opcode === 0x43) }
    case 0x41:
      return readComponentType(r, scope)
    case 0x42:
      return { sort: 'instance', exports: readInstanceDecls(r, new Scope(scope)) }
    case 0x3f: {
      r.u8()
      optional(r, () => r.u32())
      return { sort: 'resource', name: 'resource' }
    }
    default:
      return { sort: 'value', type: readDefinedValType(r, scope, opcode) }
  }
}

/** `externtype`: the type of an import or export; resources are named after the extern. */
export function readExternType(r: BinaryReader, scope: Scope, name: string): Extern {
  const kind = r.u8()
  const typeAt = (index: number, sort: TypeEntry['sort']): TypeEntry => {
    const entry = scope.type(index, r)
    if (entry.sort !== sort)
      r.fail(`"${name}" should have a ${sort} type but type ${index} is a ${entry.sort} type`)
    return entry
  }
  switch (kind) {
    case 0x00:
      if (r.u8() !== 0x11) r.fail('expected a core module type', r.position - 1)
      r.u32()
      return { sort: 'module' }
    case 0x01: {
      const entry = typeAt(r.u32(), 'func') as Extract<TypeEntry, { sort: 'func' }>
      return { sort: 'func', func: entry.func }
    }
    case 0x02:
      if (r.u8() === 0x00) r.u32()
      else readValType(r, scope)
      return { sort: 'value' }
    case 0x03: {
      const bound = r.u8()
      if (bound === 0x00) {
        const entry = scope.type(r.u32(), r)
        // wit-component names the resources its shims import `import-type-<name>`: keep the public name.
        if (
          entry.sort === 'resource' &&
          (entry.name === 'resource' || entry.name.startsWith('import-type-'))
        ) {
          entry.name = name
        }
        return { sort: 'type', entry }
      }
      if (bound === 0x01)
        return { sort: 'type', entry: { sort: 'resource', name } satisfies ResourceEntry }
      return r.fail(`unknown type bound 0x${bound.toString(16)}`, r.position - 1)
    }
    case 0x04: {
      const entry = typeAt(r.u32(), 'component') as Extract<TypeEntry, { sort: 'component' }>
      return { sort: 'component', imports: entry.imports, exports: entry.exports }
    }
    case 0x05: {
      const entry = typeAt(r.u32(), 'instance') as Extract<TypeEntry, { sort: 'instance' }>
      return { sort: 'instance', exports: entry.exports }
    }
    default:
      return r.fail(`unknown extern kind 0x${kind.toString(16)}`, r.position - 1)
  }
}

/** `nameattributes`: an import or export name (attributes are read and ignored). */
export function readExternName(r: BinaryReader): string {
  const form = r.u8()
  if (form !== 0x00 && form !== 0x01 && form !== 0x02) {
    r.fail(`unknown name form 0x${form.toString(16)}`, r.position - 1)
  }
  const name = r.name()
  if (form === 0x02) {
    r.vec(() => {
      r.u8()
      return r.name()
    })
  }
  return name
}

/** An alias; adds the aliased item to the scope's index spaces. */
export function readAlias(r: BinaryReader, scope: Scope): void {
  let sort = r.u8()
  const core = sort === 0x00
  if (core) sort = r.u8()
  const target = r.u8()
  if (target === 0x00) {
    const instance = r.u32()
    const name = r.name()
    const exports = scope.instances[instance] ?? r.fail(`instance index ${instance} is not defined`)
    const item = exports.get(name) ?? r.fail(`instance ${instance} has no export "${name}"`)
    scope.add(item)
  } else if (target === 0x01) {
    r.u32()
    r.name()
  } else if (target === 0x02) {
    const outer = scope.at(r.u32(), r)
    const index = r.u32()
    if (core) return
    if (sort === 0x03) scope.add({ sort: 'type', entry: outer.type(index, r) })
    else if (sort === 0x04) scope.add(outer.item(0x04, index, r))
    else r.fail(`outer alias of sort 0x${sort.toString(16)} is not allowed`)
  } else {
    r.fail(`unknown alias target 0x${target.toString(16)}`, r.position - 1)
  }
}

function readInstanceDecl(
  r: BinaryReader,
  scope: Scope,
  exports: ExternMap,
  imports?: ExternMap,
): void {
  const kind = r.u8()
  switch (kind) {
    case 0x00:
      skipCoreType(r)
      return
    case 0x01:
      scope.types.push(readDefType(r, scope))
      return
    case 0x02:
      readAlias(r, scope)
      return
    case 0x03: {
      if (!imports) r.fail('an instance type cannot declare imports', r.position - 1)
      const name = readExternName(r)
      const item = readExternType(r, scope, name)
      imports.set(name, item)
      scope.add(item)
      return
    }
    case 0x04: {
      const name = readExternName(r)
      const item = readExternType(r, scope, name)
      exports.set(name, item)
      scope.add(item)
      return
    }
    default:
      r.fail(`unknown declarator 0x${kind.toString(16)}`, r.position - 1)
  }
}

function readInstanceDecls(r: BinaryReader, scope: Scope): ExternMap {
  const exports: ExternMap = new Map()
  const count = r.u32()
  for (let i = 0; i < count; i++) readInstanceDecl(r, scope, exports)
  return exports
}

function readComponentType(r: BinaryReader, outer: Scope): TypeEntry {
  const scope = new Scope(outer)
  const imports: ExternMap = new Map()
  const exports: ExternMap = new Map()
  const count = r.u32()
  for (let i = 0; i < count; i++) readInstanceDecl(r, scope, exports, imports)
  return { sort: 'component', imports, exports }
}
