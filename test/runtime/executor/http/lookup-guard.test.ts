/** A `*.` entry never reaches link-local addresses, whatever the name resolves to. */
import type { LookupAddress } from 'node:dns'
import { expect, test } from 'vitest'
import { guardedLookup } from '../../../../runtime/executor/sandbox/http/lookup-guard.js'

/** A resolver with a fixed answer (DNS itself cannot be pointed at 169.254.169.254 from a test). */
const answering =
  (addresses: LookupAddress[]) =>
  (
    _host: string,
    _options: { all: true },
    callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
  ) =>
    callback(null, addresses)

function lookup(addresses: LookupAddress[], all: boolean) {
  return new Promise<{ error: NodeJS.ErrnoException | null; result: unknown }>((resolve) => {
    guardedLookup(answering(addresses))('meta.example.com', { all }, (error, address, family) =>
      resolve({ error, result: all ? address : { address, family } }),
    )
  })
}

test('a name resolving only to the metadata address fails', async () => {
  const { error } = await lookup(
    [
      { address: '169.254.169.254', family: 4 },
      { address: 'fe80::1', family: 6 },
    ],
    false,
  )
  expect(error?.code).toBe('WEIR_LINK_LOCAL')
  expect(error?.message).toBe('meta.example.com resolves to a link-local address')
})

test('link-local answers are dropped and the others kept', async () => {
  const mixed = [
    { address: '169.254.169.254', family: 4 },
    { address: '93.184.216.34', family: 4 },
  ]
  expect(await lookup(mixed, false)).toEqual({
    error: null,
    result: { address: '93.184.216.34', family: 4 },
  })
  expect(await lookup(mixed, true)).toEqual({
    error: null,
    result: [{ address: '93.184.216.34', family: 4 }],
  })
})
