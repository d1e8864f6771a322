/** The client a CLI command talks to the server with: URL and key from flags, environment or the token file. */
import { resolveConfig } from '../config.js'
import { readToken } from '../server/admin-token.js'
import { ApiClient } from './client.js'

export interface GlobalOptions {
  readonly url?: string
  readonly token?: string
  readonly dataDir?: string
  readonly json?: boolean
}

export async function connect(options: GlobalOptions): Promise<ApiClient> {
  const config = resolveConfig(
    {
      ...(options.url === undefined ? {} : { url: options.url }),
      ...(options.token === undefined ? {} : { token: options.token }),
      ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    },
    process.env,
  )
  return new ApiClient(config.url, await readToken(config.token, config.dataDir))
}
