/**
 * A node's id, kept in its data directory (`node.id`) so that a node that
 * restarts (after a crash too) is the same node and takes its own runs back
 * at once instead of waiting for their leases to expire. `WEIR_NODE_ID` sets
 * it instead. A second process started on the same data directory while the
 * first one lives gets an id of its own (see weir-server.ts).
 */
import { randomUUID } from 'node:crypto'
import { readFile, writeFile } from 'node:fs/promises'
import { hostname } from 'node:os'
import { join } from 'node:path'

export const nodeIdFile = 'node.id'

/** A new node id: the host's name and a random part. */
export const newNodeId = (): string => `${hostname()}-${randomUUID().slice(0, 8)}`

/** The id kept in `dataDir`, made (and kept) on first use. */
export async function nodeIdOf(dataDir: string): Promise<string> {
  const file = join(dataDir, nodeIdFile)
  const known = (await readFile(file, 'utf8').catch(() => '')).trim()
  if (known !== '') return known
  const id = newNodeId()
  await writeFile(file, `${id}\n`, { flag: 'wx' }).catch(async (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EEXIST') throw error
  })
  return (await readFile(file, 'utf8')).trim()
}

/** Whether a process of this machine is alive. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'
  }
}

/** Node ids servers of this process run as (a second server in one process is another node too). */
const inThisProcess = new Set<string>()

/** A server of this process stopped: its id is free again. */
export function nodeIdReleased(id: string): void {
  inThisProcess.delete(id)
}

/**
 * This server's node id: the configured one, else the data directory's —
 * unless a live process of this machine (this one included) is that node
 * already (a second `weir serve` on the same data directory), which gets a
 * new id of its own, not kept, so that the two never take each other's runs.
 */
export async function serverNodeId(
  configured: string | undefined,
  dataDir: string,
  nodes: {
    listNodes(withinMs: number): Promise<readonly { id: string; host: string; pid: number }[]>
  },
  leaseMs: number,
): Promise<string> {
  if (configured !== undefined) return configured
  const id = await nodeIdOf(dataDir)
  const running = (await nodes.listNodes(leaseMs)).find((n) => n.id === id)
  const taken =
    inThisProcess.has(id) ||
    (running !== undefined &&
      running.host === hostname() &&
      running.pid !== process.pid &&
      alive(running.pid))
  const chosen = taken ? newNodeId() : id
  inThisProcess.add(chosen)
  return chosen
}
