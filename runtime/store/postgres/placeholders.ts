/**
 * `?` placeholders as PostgreSQL's `$1, $2, …`, outside quoted text and
 * identifiers; each SQL text is rewritten once and remembered (the store's
 * statements are a small fixed set, multi-row ones by row count).
 */
const cache = new Map<string, string>()
const cacheLimit = 2000

function rewrite(sql: string): string {
  let out = ''
  let n = 0
  let quote: string | undefined
  for (const ch of sql) {
    if (quote !== undefined) {
      if (ch === quote) quote = undefined
      out += ch
    } else if (ch === "'" || ch === '"') {
      quote = ch
      out += ch
    } else if (ch === '?') {
      n += 1
      out += `$${n}`
    } else out += ch
  }
  return out
}

export function numbered(sql: string): string {
  const known = cache.get(sql)
  if (known !== undefined) return known
  const text = rewrite(sql)
  if (cache.size >= cacheLimit) cache.clear()
  cache.set(sql, text)
  return text
}
