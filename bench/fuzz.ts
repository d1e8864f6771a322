/**
 * The long fuzz campaign (`npm run bench -- fuzz`): the seeded hostile input
 * of the fuzz test, many rounds over several seeds, against a real engine;
 * prints how many requests were sent, answers by status class, and the
 * slowest answer.
 */
import { WorkerPool } from '../runtime/executor/worker-pool.js'
import { appHarness } from '../test/fixtures/app-harness.js'
import { tempCache } from '../test/fixtures/executor-harness.js'
import { type FuzzAnswer, prepareFuzz, runFuzz } from '../test/fixtures/fuzz-run.js'

export async function benchFuzz(
  seeds = Array.from({ length: 20 }, (_, i) => i + 1),
  scale = 5,
): Promise<string[]> {
  const cache = tempCache()
  const pool = await WorkerPool.start({ cache, size: 2 })
  const h = await appHarness(pool, cache)
  await prepareFuzz(h)
  const answers: FuzzAnswer[] = []
  const started = performance.now()
  try {
    for (const seed of seeds) answers.push(...(await runFuzz(h, seed, scale)))
  } finally {
    await h.close()
    await pool.close()
  }
  const seconds = (performance.now() - started) / 1000
  const byClass = new Map<string, number>()
  for (const a of answers) {
    const cls = `${Math.floor(a.status / 100)}xx`
    byClass.set(cls, (byClass.get(cls) ?? 0) + 1)
  }
  const slowestOf = (what: string) =>
    answers.filter((a) => a.what === what).reduce((a, b) => (b.ms > a.ms ? b : a))
  const kinds = [...new Set(answers.map((a) => a.what))]
  const fives = answers.filter((a) => a.status >= 500)
  return [
    `${answers.length} requests in ${seconds.toFixed(1)} s (seeds ${seeds.join(', ')}, ${scale} rounds each)`,
    `answers: ${[...byClass].map(([c, n]) => `${c} ${n}`).join(', ')}`,
    `slowest answer by door (run starts wait up to 2 s with ?wait=2000): ${kinds
      .map((k) => `${k} ${slowestOf(k).ms.toFixed(1)} ms`)
      .join(', ')}`,
    ...fives.slice(0, 5).map((a) => `5xx: ${a.what}: ${a.detail}`),
  ]
}
