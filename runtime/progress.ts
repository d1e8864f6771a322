/**
 * Progress of long work (a JavaScript task's build takes about ten seconds
 * of componentize-js): on a terminal, a spinner with the seconds spent,
 * redrawn on its line and wiped at the end; elsewhere (a log, CI), a line
 * every few seconds saying what is still going. Written to stderr, so that
 * stdout keeps only results (and `--json` one document).
 */

export interface ProgressOutput {
  readonly isTTY?: boolean
  write(text: string): unknown
}

const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏']

const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(0)} s`

/** Awaits `work`, showing `label()` (read at each tick: what is still going) while it runs. */
export async function withProgress<T>(
  label: () => string,
  work: Promise<T>,
  out: ProgressOutput = process.stderr,
  lineEveryMs = 5000,
): Promise<T> {
  const since = performance.now()
  let frame = 0
  const tick = out.isTTY
    ? () => out.write(`\r\x1b[K${frames[frame++ % frames.length]} ${label()} ${seconds(since)}`)
    : () => out.write(`${label()}: still going, ${seconds(since)}\n`)
  const timer = setInterval(tick, out.isTTY ? 100 : lineEveryMs)
  try {
    return await work
  } finally {
    clearInterval(timer)
    if (out.isTTY) out.write('\r\x1b[K')
  }
}

/** Runs `task` on every item, at most `limit` at once, in order of starting; results in item order. */
export async function eachConcurrently<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const index = next++
      results[index] = await task(items[index] as T, index)
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker))
  return results
}
