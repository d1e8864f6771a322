/**
 * Escaping for text and attribute values written into SVG markup: everything
 * a flow document supplies (ids, conditions, task names, event names) passes
 * through here, so a `<script>` in a step id is drawn as text.
 */

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** Escapes `& < > " '`: safe both as element text and inside a quoted attribute. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c)
}
