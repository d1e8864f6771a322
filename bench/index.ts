/** Runs every benchmark and prints its table: `npm run bench` (or `npm run bench -- executor`). */
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { benchCheckFlow } from './check-flow.js'
import { benchCrash } from './crash.js'
import { benchEngine } from './engine.js'
import { benchExecutor } from './executor.js'
import { benchExpressions } from './expressions.js'
import { benchForEach } from './for-each.js'
import { benchFuzz } from './fuzz.js'
import { benchHttp } from './http.js'
import { report } from './measure.js'
import { benchNodes } from './nodes.js'
import { benchNodesCrash } from './nodes-crash.js'
import { benchNodesHttp } from './nodes-http.js'
import { benchRestate } from './peer-restate.js'
import { withPostgres } from './postgres.js'
import { benchRetention } from './retention.js'
import { benchTracing } from './tracing.js'
import { benchWorkflows, workflowsOptions } from './workflows.js'

const only = process.argv[2]

if (!only || only === 'check-flow') {
  console.log('\n## checkFlow\n')
  report(benchCheckFlow())
}
if (!only || only === 'expressions') {
  console.log('\n## expressions\n')
  for (const line of benchExpressions()) console.log(line)
}
if (!only || only === 'executor') {
  console.log('\n## executor\n')
  for (const line of await benchExecutor()) console.log(line)
}
if (!only || only === 'for-each') {
  console.log('\n## forEach (fan-out)\n')
  for (const line of await benchForEach()) console.log(line)
}
if (!only || only === 'engine') {
  console.log('\n## engine\n')
  for (const line of await benchEngine()) console.log(line)
  const onPostgres = await withPostgres((url) => benchEngine(1000, url))
  if (onPostgres) {
    console.log('\n## engine on PostgreSQL\n')
    for (const line of onPostgres) console.log(line)
  }
}
if (!only || only === 'crash') {
  console.log('\n## crash recovery\n')
  for (const line of await benchCrash()) console.log(line)
}
if (!only || only === 'http') {
  console.log('\n## HTTP API\n')
  for (const line of await benchHttp()) console.log(line)
  const onPostgres = await withPostgres((url) => benchHttp(50, 10_000, url))
  if (onPostgres) {
    console.log('\n## HTTP API on PostgreSQL\n')
    for (const line of onPostgres) console.log(line)
  }
}
if (only === 'workflows') {
  console.log('\n## workflows: weir serve (and the peers beside it), the same client\n')
  for (const line of await benchWorkflows(workflowsOptions(process.argv.slice(3))))
    console.log(line)
}
if (only === 'restate') {
  console.log(
    '\n## workflows on Restate, run beside weir (the same client, `workflows` for weir)\n',
  )
  const calls = Number(process.argv[3] ?? 3000)
  for (const line of await benchRestate(calls)) console.log(line)
}
if (only === 'tracing') {
  console.log('\n## HTTP API, tracing off and on (interleaved)\n')
  for (const line of await benchTracing()) console.log(line)
}
if (only === 'retention') {
  console.log('\n## retention soak (database size under a steady load)\n')
  const rate = process.argv[4] === undefined ? undefined : Number(process.argv[4])
  for (const line of await benchRetention(process.argv[3], rate)) console.log(line)
}
if (!only || only === 'nodes') {
  console.log('\n## nodes (libSQL file)\n')
  const file = `file:${join(mkdtempSync(join(tmpdir(), 'weir-bench-nodes-db-')), 'weir.db')}`
  for (const line of await benchNodes(file)) console.log(line)
  const onPostgres = await withPostgres((url) => benchNodes(url))
  if (onPostgres) {
    console.log('\n## nodes (PostgreSQL)\n')
    for (const line of onPostgres) console.log(line)
    console.log('\n| measure | value |\n|---|---|')
    for (const nodes of [1, 3]) console.log(await withPostgres((url) => benchNodesHttp(url, nodes)))
  }
}
if (!only || only === 'nodes-crash') {
  console.log('\n## nodes under SIGKILL and SIGSTOP\n')
  console.log('| measure | value |\n|---|---|')
  const file = `file:${join(mkdtempSync(join(tmpdir(), 'weir-bench-nodes-crash-db-')), 'weir.db')}`
  for (const line of await benchNodesCrash(file, 2))
    console.log(line.replace('| 2 nodes', '| libSQL, 2 nodes'))
  const onPostgres = await withPostgres((url) => benchNodesCrash(url, 3))
  for (const line of onPostgres ?? [])
    console.log(line.replace('| 3 nodes', '| PostgreSQL, 3 nodes'))
}
if (!only || only === 'fuzz') {
  console.log('\n## fuzz\n')
  for (const line of await benchFuzz()) console.log(line)
}
