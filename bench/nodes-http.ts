/**
 * 1 and 3 nodes on one PostgreSQL database, each a server in its own process:
 * completed workflows per second of the 3-step flow, with 50 clients spread
 * over the nodes round-robin, each starting a run with `?wait` and waiting
 * for its answer (every step durable).
 */
import { startServer } from './http.js'

async function completedPerSecond(
  urls: readonly string[],
  token: string,
  total: number,
  clients: number,
): Promise<number> {
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
  let next = 0
  const began = performance.now()
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      while (next < total) {
        const n = next++
        const url = urls[(client + n) % urls.length] as string
        const response = await fetch(`${url}/v1/flows/three/runs?wait=30000`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ n: n % 100 }),
        })
        const body = (await response.json()) as { status: string }
        if (response.status !== 200 || body.status !== 'completed')
          throw new Error(`a run answered ${response.status} ${body.status}`)
      }
    }),
  )
  return total / ((performance.now() - began) / 1000)
}

/** `nodes` servers on `dbUrl`; the first publishes and makes the admin key all of them accept. */
export async function benchNodesHttp(
  dbUrl: string,
  nodes: number,
  clients = 50,
  total = 3000,
): Promise<string> {
  const servers = [await startServer(dbUrl)]
  for (let i = 1; i < nodes; i++) servers.push(await startServer(dbUrl))
  const token = servers[0]?.token as string
  try {
    const urls = servers.map((s) => s.url)
    await completedPerSecond(urls, token, 300, clients)
    const rates: number[] = []
    for (let round = 0; round < 3; round++)
      rates.push(await completedPerSecond(urls, token, total, clients))
    rates.sort((a, b) => a - b)
    return `| ${nodes} node${nodes === 1 ? '' : 's'}: completed 3-step workflows/s, ${clients} clients with ?wait (median of 3 rounds of ${total}) | ${(rates[1] as number).toFixed(0)} |`
  } finally {
    await Promise.all(
      servers.map(({ child }) => {
        const exited = new Promise((resolve) => child.once('exit', resolve))
        child.kill('SIGTERM')
        return exited
      }),
    )
  }
}
