/**
 * The README's walkthrough as data: each ```sh block of a section with the
 * ```text block that follows it (what the commands print), and the
 * normalization that makes two runs' outputs comparable (ids, times, durations).
 */
export interface WalkthroughStep {
  readonly script: string
  readonly expected: string | undefined
}

export function sectionOf(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start < 0) throw new Error(`README has no section "## ${heading}"`)
  const next = markdown.indexOf('\n## ', start + 1)
  return markdown.slice(start, next < 0 ? undefined : next)
}

export function walkthroughSteps(section: string): WalkthroughStep[] {
  const blocks = [...section.matchAll(/```(\w+)\n([\s\S]*?)```(\n\s*)?/g)]
  const steps: WalkthroughStep[] = []
  blocks.forEach((block, i) => {
    if (block[1] !== 'sh') return
    const next = blocks[i + 1]
    const adjacent =
      next && next[1] === 'text' && next.index === (block.index ?? 0) + block[0].length
    steps.push({ script: block[2] ?? '', expected: adjacent ? next[2] : undefined })
  })
  return steps
}

export const runIdPattern = /\b[0-9A-HJKMNP-TV-Z]{26}\b/g
export const callbackUrlPattern = /http:\/\/\S+\/v1\/callbacks\/[\w.-]+/g
const callbackSecretPattern = /\.\d+\.[A-Za-z0-9_-]{32}(?![A-Za-z0-9_-])/g

export function normalize(output: string): string {
  return output
    .replace(callbackSecretPattern, '.<n>.<secret>')
    .replace(runIdPattern, '<run-id>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, '<time>')
    .replace(/\b\d+ ms\b/g, '<n> ms')
    .replace(/"durationMs":\s*\d+/g, '"durationMs": <n>')
    .replace(/built in [\d.]+ s/g, 'built in <n> s')
    .split('\n')
    .map((line) => line.replace(/\s+/g, ' ').trimEnd())
    .filter((line) => line !== '')
    .join('\n')
}
