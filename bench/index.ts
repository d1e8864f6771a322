/** Runs every benchmark and prints its table: `npm run bench` (or `npm run bench -- executor`). */
import { benchCheckFlow } from './check-flow.js'
import { benchCrash } from './crash.js'
import { benchEngine } from './engine.js'
import { benchExecutor } from './executor.js'
import { benchExpressions } from './expressions.js'
import { benchFuzz } from './fuzz.js'
import { benchHttp } from './http.js'
import { report } from './measure.js'
import { withPostgres } from './postgres.js'

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
if (!only || only === 'fuzz') {
  console.log('\n## fuzz\n')
  for (const line of await benchFuzz()) console.log(line)
}
