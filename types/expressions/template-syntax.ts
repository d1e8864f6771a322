/**
 * The syntax of template strings: `${expr}` embeds a CEL expression, `$${`
 * writes a literal `${`. A string that is exactly one `${expr}` stands for the
 * expression's value (its type kept); anything else is text with the values
 * interpolated.
 */

export type TemplateSegment =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'expression'; readonly source: string; readonly offset: number }

export type SplitResult =
  | { ok: true; segments: TemplateSegment[] }
  | { ok: false; message: string; offset: number }

/** Finds the end of an expression that starts at `start` (just after `${`): the index of its closing `}`. */
function scanExpression(s: string, start: number): number {
  let depth = 0
  let i = start
  while (i < s.length) {
    const c = s[i] as string
    if (c === '"' || c === "'") {
      i = skipString(s, i)
      continue
    }
    if (c === '{') depth++
    else if (c === '}') {
      if (depth === 0) return i
      depth--
    }
    i++
  }
  return -1
}

/** Skips a CEL string literal starting at a quote; raw strings (r"…") never escape. */
function skipString(s: string, start: number): number {
  const quote = s[start] as string
  const raw = start > 0 && /[rR]/.test(s[start - 1] ?? '')
  const triple = s.startsWith(quote.repeat(3), start)
  const close = triple ? quote.repeat(3) : quote
  let i = start + close.length
  while (i < s.length) {
    if (!raw && s[i] === '\\') {
      i += 2
      continue
    }
    if (s.startsWith(close, i)) return i + close.length
    i++
  }
  return s.length
}

export function splitTemplate(s: string): SplitResult {
  const segments: TemplateSegment[] = []
  let text = ''
  let i = 0
  while (i < s.length) {
    if (s.startsWith('$${', i)) {
      text += '${'
      i += 3
      continue
    }
    if (s.startsWith('${', i)) {
      const end = scanExpression(s, i + 2)
      if (end < 0) return { ok: false, message: 'unterminated "${": missing "}"', offset: i }
      const source = s.slice(i + 2, end)
      if (source.trim() === '') return { ok: false, message: 'empty expression "${}"', offset: i }
      if (text) segments.push({ kind: 'text', text })
      text = ''
      segments.push({ kind: 'expression', source, offset: i + 2 })
      i = end + 1
      continue
    }
    text += s[i]
    i++
  }
  if (text || segments.length === 0) segments.push({ kind: 'text', text })
  return { ok: true, segments }
}
