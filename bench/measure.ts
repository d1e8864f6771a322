/** Tiny timing helpers for the benchmarks: warm up, run, report median and spread. */

export interface Timing {
  name: string
  iterations: number
  medianMs: number
  p90Ms: number
  minMs: number
}

export function measure(
  name: string,
  fn: () => void,
  { warmup = 20, iterations = 200 } = {},
): Timing {
  for (let i = 0; i < warmup; i++) fn()
  const samples: number[] = []
  for (let i = 0; i < iterations; i++) {
    const start = performance.now()
    fn()
    samples.push(performance.now() - start)
  }
  samples.sort((a, b) => a - b)
  const at = (q: number) =>
    samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] as number
  return { name, iterations, medianMs: at(0.5), p90Ms: at(0.9), minMs: samples[0] as number }
}

export function report(timings: Timing[]): void {
  console.log('| benchmark | iterations | median | p90 | min |')
  console.log('|---|---|---|---|---|')
  for (const t of timings) {
    console.log(
      `| ${t.name} | ${t.iterations} | ${t.medianMs.toFixed(2)} ms | ${t.p90Ms.toFixed(2)} ms | ${t.minMs.toFixed(2)} ms |`,
    )
  }
}
