/**
 * The HTTP helper thread of one executor worker. The task thread is inside a
 * synchronous wasm call while a request is under way, so the request runs
 * here, on an event loop of its own: the helper sends it with node:http or
 * node:https, passes the response head and body back chunk by chunk, and
 * bumps the task thread's wake signal after each message. It never follows
 * redirects (the guest sees them, and a redirect it follows is a new request
 * checked against the allow-list), cuts bodies at the cap, refuses
 * link-local destinations reached through a `*.` entry, and verifies
 * certificates against Node's store, the system's CA bundle and the extra CA.
 */

import { readFileSync } from 'node:fs'
import { type ClientRequest, request as httpRequest, type IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls'
import { type MessagePort, workerData } from 'node:worker_threads'
import type { ErrorCode } from '@bytecodealliance/preview2-shim/interfaces/wasi-http-types'
import { guardedLookup } from './lookup-guard.js'
import type { FromHelper, HelperData, StartRequest, ToHelper } from './messages.js'

const { wake, extraCa, port } = workerData as HelperData & { port: MessagePort }
const signal = new Int32Array(wake)
/** The system's CA bundle (Debian and Alpine, then Red Hat paths), if there is one. */
function systemBundle(): string[] {
  for (const path of ['/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt']) {
    try {
      return [readFileSync(path, 'utf8')]
    } catch {}
  }
  return []
}

// Built once: certificates are verified against Node's store, the system's bundle and the extra CA.
// (`secureContext` reaches tls.connect, though node:https's types do not list it.)
const tls: { secureContext: SecureContext } = {
  secureContext: createSecureContext({
    ca: [...rootCertificates, ...systemBundle(), ...(extraCa ? [extraCa] : [])],
  }),
}
const requests = new Map<number, ClientRequest>()
const linkLocalGuard = guardedLookup()

function send(message: FromHelper): void {
  port.postMessage(message)
  Atomics.add(signal, 0, 1)
  Atomics.notify(signal, 0)
}

/** The wasi:http error code of a Node request error, and a short reason for the log. */
function errorCode(error: NodeJS.ErrnoException): { code: ErrorCode; reason: string } {
  switch (error.code) {
    case 'WEIR_LINK_LOCAL':
      return { code: { tag: 'destination-IP-prohibited' }, reason: error.message }
    case 'ECONNREFUSED':
      return { code: { tag: 'connection-refused' }, reason: 'connection refused' }
    case 'ECONNRESET':
    case 'EPIPE':
      return { code: { tag: 'connection-terminated' }, reason: 'connection reset' }
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return { code: { tag: 'DNS-error', val: { rcode: error.code } }, reason: error.message }
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { code: { tag: 'destination-unavailable' }, reason: error.message }
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS_CERT/.test(error.code ?? ''))
    return { code: { tag: 'TLS-certificate-error' }, reason: `certificate: ${error.message}` }
  return { code: { tag: 'internal-error', val: error.message }, reason: error.message }
}

function start(message: StartRequest): void {
  const { id } = message
  const options = {
    method: message.method,
    host: message.host,
    port: message.port,
    path: message.path,
    headers: headerObject(message.headers),
    // A connection per request: no socket outlives its request, or is shared between tasks.
    agent: false as const,
    ...(message.guardLinkLocal ? { lookup: linkLocalGuard } : {}),
    ...(message.connectTimeoutMs !== undefined ? { timeout: message.connectTimeoutMs } : {}),
  }
  const req =
    message.scheme === 'https' ? httpsRequest({ ...options, ...tls }) : httpRequest(options)
  requests.set(id, req)
  let settled = false
  const fail = (code: ErrorCode, reason: string) => {
    if (settled) return
    settled = true
    requests.delete(id)
    req.destroy()
    send({ type: 'failed', id, code, reason })
  }
  req.on('timeout', () => fail({ tag: 'connection-timeout' }, 'timed out'))
  req.on('error', (error: NodeJS.ErrnoException) => {
    const { code, reason } = errorCode(error)
    fail(code, reason)
  })
  if (message.firstByteTimeoutMs !== undefined) {
    const ms = message.firstByteTimeoutMs
    req.on('socket', () => req.setTimeout(ms))
  }
  req.on('response', (res: IncomingMessage) => {
    const headers: [string, string][] = []
    for (let i = 0; i + 1 < res.rawHeaders.length; i += 2)
      headers.push([res.rawHeaders[i] as string, res.rawHeaders[i + 1] as string])
    send({ type: 'head', id, status: res.statusCode ?? 0, headers })
    req.setTimeout(message.betweenBytesTimeoutMs ?? 0)
    let received = 0
    res.on('data', (chunk: Buffer) => {
      if (settled) return
      const room = message.maxResponseBytes - received
      if (chunk.length > room) {
        if (room > 0) send({ type: 'chunk', id, chunk: new Uint8Array(chunk.subarray(0, room)) })
        received += room
        fail(
          { tag: 'HTTP-response-body-size', val: BigInt(message.maxResponseBytes) },
          `cut: the response body is larger than the limit of ${limitText(message.maxResponseBytes)}`,
        )
        return
      }
      received += chunk.length
      send({ type: 'chunk', id, chunk: new Uint8Array(chunk) })
    })
    res.on('end', () => {
      if (settled) return
      settled = true
      requests.delete(id)
      send({ type: 'done', id })
    })
    res.on('error', (error: NodeJS.ErrnoException) => {
      const { code, reason } = errorCode(error)
      fail(code, reason)
    })
    res.on('aborted', () => fail({ tag: 'HTTP-response-incomplete' }, 'the response ended early'))
  })
  for (const chunk of message.body) req.write(chunk)
  if (message.ended) req.end()
}

/** Headers as Node takes them with its defaults (Host) kept: repeated names become arrays. */
function headerObject(headers: StartRequest['headers']): Record<string, string[]> {
  const object: Record<string, string[]> = {}
  for (const [name, value] of headers) {
    const key = name.toLowerCase()
    object[key] = [...(object[key] ?? []), value]
  }
  return object
}

function limitText(bytes: number): string {
  return bytes % 2 ** 20 === 0 ? `${bytes / 2 ** 20} MiB` : `${bytes} bytes`
}

port.on('message', (message: ToHelper) => {
  switch (message.type) {
    case 'start':
      start(message)
      return
    case 'body':
      requests.get(message.id)?.write(message.chunk)
      return
    case 'end':
      requests.get(message.id)?.end()
      return
    case 'abort':
      requests.get(message.id)?.destroy()
      requests.delete(message.id)
      return
    default: {
      const never: never = message
      throw new Error(`unknown message ${String(never)}`)
    }
  }
})
