/** `weir task build <dir…>`: builds JavaScript task folders into components, with progress. */
import { buildTask } from '../components/build-task.js'
import { WeirError } from '../errors.js'
import { withProgress } from '../progress.js'

export interface TaskBuildOptions {
  json?: boolean
  force?: boolean
}

/** Returns the exit code: 0 when every task built, 1 when one did not. */
export async function taskBuildCommand(dirs: string[], options: TaskBuildOptions): Promise<number> {
  const results: unknown[] = []
  let failed = false
  for (const [i, dir] of dirs.entries()) {
    const step = `[${i + 1}/${dirs.length}]`
    if (!options.json) process.stdout.write(`${step} building ${dir} … `)
    try {
      const built = await withProgress(
        () => `building ${dir}`,
        buildTask(dir, { ifChanged: !options.force }),
      )
      const size = `${(built.bytes.length / 2 ** 20).toFixed(1)} MiB`
      const how = built.reused
        ? 'unchanged'
        : `built in ${(built.milliseconds / 1000).toFixed(1)} s`
      if (!options.json) console.log(`${how}: ${built.wasmPath} (${size})`)
      results.push({
        dir,
        ok: true,
        task: built.task.name,
        wasm: built.wasmPath,
        bytes: built.bytes.length,
        reused: built.reused,
      })
    } catch (error) {
      failed = true
      const problems = error instanceof WeirError ? error.problems : []
      if (!options.json) {
        console.log('failed')
        if (problems.length === 0) console.log(`  ${(error as Error).message}`)
        for (const p of problems) console.log(`  ${p.pointer || '/'}: ${p.message}`)
      }
      results.push({ dir, ok: false, message: (error as Error).message, problems })
    }
  }
  if (options.json) console.log(JSON.stringify(results, null, 2))
  return failed ? 1 : 0
}
