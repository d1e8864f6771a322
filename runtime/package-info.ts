/** weir's own package.json, found by walking up from this module (works from source and from dist/). */
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

export interface PackageInfo {
  readonly name: string
  readonly version: string
  /** The folder that holds package.json: the project root. */
  readonly root: string
}

let cached: PackageInfo | undefined

export function packageInfo(): PackageInfo {
  if (cached) return cached
  let dir = dirname(fileURLToPath(import.meta.url))
  for (;;) {
    const file = join(dir, 'package.json')
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string }
      if (pkg.name === 'weir') {
        cached = { name: pkg.name, version: pkg.version, root: dir }
        return cached
      }
    }
    const parent = dirname(dir)
    if (parent === dir) throw new Error('cannot find weir package.json')
    dir = parent
  }
}
