/**
 * DNS resolution for requests allowed by a `*.` entry: link-local and
 * cloud-metadata addresses are dropped from the answer, and a name that
 * resolves only to such addresses fails, so a wildcard can never reach the
 * metadata service whatever the name's DNS says.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns'
import type { LookupFunction } from 'node:net'
import { isLinkLocal } from './allow-list.js'

/** The error a guarded lookup fails with (its `code` is `WEIR_LINK_LOCAL`). */
export class LinkLocalRefused extends Error {
  readonly code = 'WEIR_LINK_LOCAL'
}

type AllLookup = (
  hostname: string,
  options: { all: true },
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void

/** A `lookup` for node:http(s) that never yields a link-local address (`resolve` is node:dns's by default). */
export function guardedLookup(resolve: AllLookup = dnsLookup as AllLookup): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0)
      const allowed = addresses.filter((a) => !isLinkLocal(a.address))
      if (allowed.length === 0) {
        const refused = new LinkLocalRefused(`${hostname} resolves to a link-local address`)
        return callback(refused as NodeJS.ErrnoException, '', 0)
      }
      if (options.all)
        return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, allowed)
      const first = allowed[0] as LookupAddress
      return callback(null, first.address, first.family)
    })
  }
}
