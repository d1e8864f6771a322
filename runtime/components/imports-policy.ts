/**
 * What a task component may import: the WASI 0.2 interfaces the sandbox
 * provides (any 0.2.x version). io, cli, clocks and random work; filesystem
 * and sockets are present but deny every call; http works for a task that
 * grants it (capability-check.ts says which may import it). Imported value types are
 * fine; anything else (host functions, other interfaces, abstract resources)
 * is rejected, naming the import.
 */
import type { Problem } from '../../types/index.js'
import type { ComponentImport } from './decode-component.js'

const provided = new Set([
  'wasi:io/error',
  'wasi:io/poll',
  'wasi:io/streams',
  'wasi:cli/environment',
  'wasi:cli/exit',
  'wasi:cli/stdin',
  'wasi:cli/stdout',
  'wasi:cli/stderr',
  'wasi:cli/terminal-input',
  'wasi:cli/terminal-output',
  'wasi:cli/terminal-stdin',
  'wasi:cli/terminal-stdout',
  'wasi:cli/terminal-stderr',
  'wasi:clocks/monotonic-clock',
  'wasi:clocks/wall-clock',
  'wasi:random/random',
  'wasi:random/insecure',
  'wasi:random/insecure-seed',
  'wasi:filesystem/types',
  'wasi:filesystem/preopens',
  'wasi:sockets/network',
  'wasi:sockets/instance-network',
  'wasi:sockets/ip-name-lookup',
  'wasi:sockets/tcp',
  'wasi:sockets/tcp-create-socket',
  'wasi:sockets/udp',
  'wasi:sockets/udp-create-socket',
  'wasi:http/types',
  'wasi:http/outgoing-handler',
  'wasi:config/store',
])

/** The drafts of wasi:config/store the sandbox serves (from the task's `capabilities.env`). */
const configVersions = new Set(['0.2.0-draft', '0.2.0-draft-2024-09-27'])

/** `wasi:io/streams@0.2.3` → `{ interface: 'wasi:io/streams', version: '0.2.3' }`. */
export function splitVersion(name: string): { interface: string; version: string | undefined } {
  const at = name.indexOf('@')
  return at < 0
    ? { interface: name, version: undefined }
    : { interface: name.slice(0, at), version: name.slice(at + 1) }
}

export function checkImports(imports: readonly ComponentImport[]): Problem[] {
  const problems: Problem[] = []
  const reject = (name: string, why: string) =>
    problems.push({
      pointer: '/component',
      code: 'type_mismatch',
      message: `import "${name}" ${why}`,
    })
  for (const item of imports) {
    if (item.sort === 'type') {
      if (item.resource)
        reject(
          item.name,
          'is a resource type the host would have to provide, and the sandbox provides none',
        )
      continue
    }
    if (item.sort !== 'instance') {
      reject(item.name, `is a ${item.sort}: the sandbox provides only the WASI 0.2 interfaces`)
      continue
    }
    const { interface: iface, version } = splitVersion(item.name)
    if (!provided.has(iface)) {
      reject(
        item.name,
        'is not provided by the sandbox (it provides wasi:io, wasi:cli, wasi:clocks, wasi:random, and denies wasi:filesystem, wasi:sockets and wasi:http)',
      )
    } else if (iface === 'wasi:config/store') {
      if (!configVersions.has(version ?? ''))
        reject(
          item.name,
          `has version ${version ?? '(none)'}: the sandbox provides wasi:config/store ${[...configVersions].join(' and ')}`,
        )
    } else if (version !== undefined && !/^0\.2\.\d+/.test(version)) {
      reject(item.name, `has version ${version}: the sandbox provides WASI 0.2.x`)
    }
  }
  return problems
}
