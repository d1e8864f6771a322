/**
 * The index spaces a component binary builds up as it is read (types,
 * functions, instances, components), one scope per component, component type
 * or instance type; and the externs (imports, exports) that fill them.
 */
import type { BinaryReader } from './binary-reader.js'
import type { FuncType, WitType } from './wit-types.js'

export type ExternMap = Map<string, Extern>

export interface ResourceEntry {
  readonly sort: 'resource'
  name: string
}

export type TypeEntry =
  | { readonly sort: 'value'; readonly type: WitType }
  | { readonly sort: 'func'; readonly func: FuncType }
  | { readonly sort: 'instance'; readonly exports: ExternMap }
  | { readonly sort: 'component'; readonly imports: ExternMap; readonly exports: ExternMap }
  | ResourceEntry

export type Extern =
  | { readonly sort: 'func'; readonly func: FuncType }
  | { readonly sort: 'instance'; readonly exports: ExternMap }
  | { readonly sort: 'component'; readonly imports: ExternMap; readonly exports: ExternMap }
  | { readonly sort: 'type'; readonly entry: TypeEntry }
  | { readonly sort: 'module' }
  | { readonly sort: 'value' }

export class Scope {
  readonly outer: Scope | undefined
  readonly types: TypeEntry[] = []
  readonly funcs: FuncType[] = []
  readonly instances: ExternMap[] = []
  readonly components: { imports: ExternMap; exports: ExternMap }[] = []

  constructor(outer?: Scope) {
    this.outer = outer
  }

  /** The scope `count` levels out (0 is this one). */
  at(count: number, reader: BinaryReader): Scope {
    let scope: Scope | undefined = this
    for (let i = 0; i < count && scope; i++) scope = scope.outer
    if (!scope) reader.fail(`outer alias reaches ${count} scopes out, past the outermost component`)
    return scope
  }

  type(index: number, reader: BinaryReader): TypeEntry {
    const entry = this.types[index]
    if (!entry)
      reader.fail(`type index ${index} is not defined (${this.types.length} types so far)`)
    return entry
  }

  valueType(index: number, reader: BinaryReader): WitType {
    const entry = this.type(index, reader)
    if (entry.sort !== 'value')
      reader.fail(`type index ${index} is a ${entry.sort} type, not a value type`)
    return entry.type
  }

  resource(index: number, reader: BinaryReader): ResourceEntry {
    const entry = this.type(index, reader)
    if (entry.sort !== 'resource')
      reader.fail(`type index ${index} is a ${entry.sort} type, not a resource`)
    return entry
  }

  /** Adds an imported, exported or aliased item to the index space of its sort. */
  add(item: Extern): void {
    switch (item.sort) {
      case 'func':
        this.funcs.push(item.func)
        break
      case 'instance':
        this.instances.push(item.exports)
        break
      case 'component':
        this.components.push({ imports: item.imports, exports: item.exports })
        break
      case 'type':
        this.types.push(item.entry)
        break
      case 'module':
      case 'value':
        break
      default: {
        const never: never = item
        throw new Error(`unknown extern ${String(never)}`)
      }
    }
  }

  /** The item at `index` of a component-level sort (1 func, 2 value, 3 type, 4 component, 5 instance). */
  item(sort: number, index: number, reader: BinaryReader): Extern {
    const missing = (what: string, length: number): never =>
      reader.fail(`${what} index ${index} is not defined (${length} so far)`)
    switch (sort) {
      case 0x01: {
        const func = this.funcs[index] ?? missing('function', this.funcs.length)
        return { sort: 'func', func }
      }
      case 0x02:
        return { sort: 'value' }
      case 0x03:
        return { sort: 'type', entry: this.type(index, reader) }
      case 0x04: {
        const component = this.components[index] ?? missing('component', this.components.length)
        return { sort: 'component', ...component }
      }
      case 0x05: {
        const exports = this.instances[index] ?? missing('instance', this.instances.length)
        return { sort: 'instance', exports }
      }
      default:
        return reader.fail(`unknown sort 0x${sort.toString(16)}`)
    }
  }
}
