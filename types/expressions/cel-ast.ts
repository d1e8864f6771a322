/**
 * A narrow, typed view of the cel-js AST: the node operators weir walks and the
 * helpers to read them (children, field access, canonical text of a path).
 */
import type { CelType } from './cel-values.js'

export interface CelNode {
  readonly op: string
  readonly args: unknown
  readonly input: string
  readonly range: { readonly start: number; readonly end: number }
  readonly checkedType?: CelType
}

function isNode(value: unknown): value is CelNode {
  return value !== null && typeof value === 'object' && 'op' in value && 'args' in value
}

/** The direct child nodes of a node, in source order. */
export function childrenOf(node: CelNode): CelNode[] {
  const out: CelNode[] = []
  const collect = (value: unknown): void => {
    if (isNode(value)) out.push(value)
    else if (Array.isArray(value)) for (const v of value) collect(v)
  }
  if (node.op !== 'value' && node.op !== 'id') collect(node.args)
  return out
}

/** For a field access `left.field` (or `left.?field`): its parts. */
export function fieldAccess(node: CelNode): { left: CelNode; field: string } | undefined {
  if (node.op !== '.' && node.op !== '.?') return undefined
  const [left, field] = node.args as [CelNode, string]
  return { left, field }
}

/** For a call `name(args)` or `receiver.name(args)`: its parts. */
export function callOf(
  node: CelNode,
): { name: string; receiver?: CelNode; args: CelNode[] } | undefined {
  if (node.op === 'call') {
    const [name, args] = node.args as [string, CelNode[]]
    return { name, args }
  }
  if (node.op === 'rcall') {
    const [name, receiver, args] = node.args as [string, CelNode, CelNode[]]
    return { name, receiver, args }
  }
  return undefined
}

/** `a.b.c` as the list ['a', 'b', 'c'] when the node is a plain path of identifiers, else undefined. */
export function pathOf(node: CelNode): string[] | undefined {
  if (node.op === 'id') return [node.args as string]
  const access = node.op === '.' ? fieldAccess(node) : undefined
  if (!access) return undefined
  const left = pathOf(access.left)
  return left && [...left, access.field]
}

/** A canonical text of an expression, used to match a `has(x)` guard with a later `x`. */
export function canonicalText(node: CelNode): string {
  const path = pathOf(node)
  if (path) return path.join('.')
  return node.input.slice(node.range.start, node.range.end).replace(/\s+/g, '')
}

/** The text of a node as written, for messages. */
export function sourceOf(node: CelNode): string {
  return node.input.slice(node.range.start, node.range.end)
}
