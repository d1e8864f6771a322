/**
 * `weir serve`: the server on the embedded database. Prints where it listens,
 * the admin key on the first start (once; it is also in <data dir>/admin.token),
 * and a curl line to try. SIGTERM/SIGINT stop it gracefully.
 */
import { relative } from 'node:path'
import { type ConfigOptions, resolveConfig } from '../config.js'
import { packageInfo } from '../package-info.js'
import { tokenFile } from '../server/admin-token.js'
import { publishExamples } from '../server/publish-examples.js'
import { WeirServer } from '../server/weir-server.js'
import type { Durability } from '../store/index.js'
import { count } from './output.js'
import { serverLogger } from './server-logger.js'

export interface ServeOptions {
  readonly host?: string
  readonly port?: string
  readonly dataDir?: string
  readonly dbUrl?: string
  readonly durability?: string
  readonly workers?: string
  readonly logLevel?: string
  readonly retention?: string
  readonly auditRetention?: string
  readonly metricsPublic?: boolean
  readonly examples?: boolean
}

const numberOption = (value: string | undefined) =>
  value === undefined ? undefined : Number(value)

function configOptions(options: ServeOptions): ConfigOptions {
  const port = numberOption(options.port)
  const workers = numberOption(options.workers)
  return {
    ...(options.host === undefined ? {} : { host: options.host }),
    ...(port === undefined ? {} : { port }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.dbUrl === undefined ? {} : { dbUrl: options.dbUrl }),
    ...(options.durability === undefined ? {} : { durability: options.durability as Durability }),
    ...(workers === undefined ? {} : { workers }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    ...(options.metricsPublic ? { metricsPublic: true } : {}),
    ...(options.retention === undefined ? {} : { retention: options.retention }),
    ...(options.auditRetention === undefined ? {} : { auditRetention: options.auditRetention }),
  }
}

const tryInput = '{"orderId":"A-1","region":"EU","items":[{"sku":"book","qty":2,"price":12.5}]}'

export async function serveCommand(options: ServeOptions): Promise<void> {
  const config = resolveConfig(configOptions(options), process.env)
  const logger = serverLogger(config.logLevel)
  const server = await WeirServer.start(config, { logger })
  const stop = () => {
    void server.stop().then(() => logger.flush(() => process.exit(0)))
  }
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
  if (options.examples) {
    console.log('publishing the example tasks and flows …')
    const published = await publishExamples(server.context.catalog, packageInfo().root, (line) =>
      console.log(`  ${line}`),
    )
    console.log(
      `  ${count(published.created, 'new version')} (${count(published.tasks, 'task')}, ${count(published.flows, 'flow')})`,
    )
  }
  const absolute = tokenFile(config.dataDir)
  const relativeFile = relative(process.cwd(), absolute)
  const file = relativeFile.startsWith('..') ? absolute : relativeFile
  console.log(`\nweir ${server.context.version} is listening on ${server.url}`)
  console.log(`console: ${server.url}/console (sign in with an API key)`)
  if (server.recovered > 0) console.log(`resumed ${count(server.recovered, 'unfinished run')}`)
  if (server.newAdminKey) {
    console.log(`admin API key (shown once; also saved to ${file}):\n  ${server.newAdminKey}`)
  } else {
    console.log(`admin API key: in ${file} (or the one you keep)`)
  }
  if (options.examples) {
    console.log('\ntry it:')
    console.log(
      `  curl -s -X POST '${server.url}/v1/flows/checkout/runs?wait=5000' \\\n` +
        `    -H "Authorization: Bearer $(cat ${file})" -H 'Content-Type: application/json' \\\n` +
        `    -d '${tryInput}'`,
    )
  }
  console.log('\nCtrl-C stops the server.')
}
