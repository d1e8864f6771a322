/**
 * WIT types as decoded from a component binary, and their WIT spelling.
 */

export type PrimitiveKind =
  | 'bool'
  | 's8'
  | 'u8'
  | 's16'
  | 'u16'
  | 's32'
  | 'u32'
  | 's64'
  | 'u64'
  | 'f32'
  | 'f64'
  | 'char'
  | 'string'
  | 'error-context'

export interface NamedType {
  readonly name: string
  readonly type: WitType
}

export type WitType =
  | { readonly kind: PrimitiveKind }
  | { readonly kind: 'record'; readonly fields: readonly NamedType[] }
  | {
      readonly kind: 'variant'
      readonly cases: readonly { name: string; type: WitType | undefined }[]
    }
  | { readonly kind: 'list'; readonly element: WitType; readonly length?: number }
  | { readonly kind: 'tuple'; readonly types: readonly WitType[] }
  | { readonly kind: 'flags'; readonly names: readonly string[] }
  | { readonly kind: 'enum'; readonly names: readonly string[] }
  | { readonly kind: 'option'; readonly type: WitType }
  | { readonly kind: 'result'; readonly ok: WitType | undefined; readonly err: WitType | undefined }
  /** `resource` is shared with the resource's definition, so it carries the name it is finally exported under. */
  | { readonly kind: 'own' | 'borrow'; readonly resource: { readonly name: string } }
  | { readonly kind: 'stream' | 'future'; readonly type: WitType | undefined }
  | { readonly kind: 'map'; readonly key: WitType; readonly value: WitType }

export interface FuncType {
  readonly params: readonly NamedType[]
  readonly result: WitType | undefined
  readonly async: boolean
}

export const primitiveByOpcode: ReadonlyMap<number, PrimitiveKind> = new Map([
  [0x7f, 'bool'],
  [0x7e, 's8'],
  [0x7d, 'u8'],
  [0x7c, 's16'],
  [0x7b, 'u16'],
  [0x7a, 's32'],
  [0x79, 'u32'],
  [0x78, 's64'],
  [0x77, 'u64'],
  [0x76, 'f32'],
  [0x75, 'f64'],
  [0x74, 'char'],
  [0x73, 'string'],
  [0x64, 'error-context'],
])

/** The WIT spelling of a type: `list<u32>`, `record { a: u32 }`, `result<string, string>`. */
export function formatWitType(type: WitType): string {
  switch (type.kind) {
    case 'record':
      return `record { ${type.fields.map((f) => `${f.name}: ${formatWitType(f.type)}`).join(', ')} }`
    case 'variant':
      return `variant { ${type.cases.map((c) => (c.type ? `${c.name}(${formatWitType(c.type)})` : c.name)).join(', ')} }`
    case 'list':
      return type.length === undefined
        ? `list<${formatWitType(type.element)}>`
        : `list<${formatWitType(type.element)}, ${type.length}>`
    case 'tuple':
      return `tuple<${type.types.map(formatWitType).join(', ')}>`
    case 'flags':
      return `flags { ${type.names.join(', ')} }`
    case 'enum':
      return `enum { ${type.names.join(', ')} }`
    case 'option':
      return `option<${formatWitType(type.type)}>`
    case 'result': {
      if (!type.ok && !type.err) return 'result'
      if (!type.err) return `result<${formatWitType(type.ok as WitType)}>`
      return `result<${type.ok ? formatWitType(type.ok) : '_'}, ${formatWitType(type.err)}>`
    }
    case 'own':
      return type.resource.name
    case 'borrow':
      return `borrow<${type.resource.name}>`
    case 'stream':
    case 'future':
      return type.type ? `${type.kind}<${formatWitType(type.type)}>` : type.kind
    case 'map':
      return `map<${formatWitType(type.key)}, ${formatWitType(type.value)}>`
    default:
      return type.kind
  }
}

export function formatFuncType(func: FuncType): string {
  const params = func.params.map((p) => `${p.name}: ${formatWitType(p.type)}`).join(', ')
  const result = func.result ? ` -> ${formatWitType(func.result)}` : ''
  return `${func.async ? 'async ' : ''}func(${params})${result}`
}
