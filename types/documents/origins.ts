/**
 * Origins a task may send HTTP requests to (`capabilities.http.allow`):
 * `scheme://host[:port]` with scheme http or https, a host that is a DNS name
 * (optionally `*.`-prefixed, for every subdomain but never the bare domain), an IPv4
 * address or a bracketed IPv6 address, and a port number or `*` (any). No
 * userinfo, path, query or fragment. Parsed once at publish; the sandbox
 * matches each request's origin against the parsed list.
 */

export interface AllowedOrigin {
  readonly scheme: 'http' | 'https'
  /** Lowercase host; for a wildcard, the domain after `*.`. */
  readonly host: string
  readonly wildcard: boolean
  /** A port number, or `*` for any; the scheme's default when the origin names none. */
  readonly port: number | '*'
}

export type ParsedOrigin =
  | { readonly ok: true; readonly origin: AllowedOrigin }
  | { readonly ok: false; readonly message: string }

const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?'
const dnsName = new RegExp(`^${label}(\\.${label})*$`)
const ipv4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/
const ipv6 = /^\[[0-9a-f:.]+\]$/

const defaultPort = { http: 80, https: 443 } as const

const expected =
  'expected scheme://host[:port] with scheme http or https, e.g. https://api.example.com, https://*.example.com or http://127.0.0.1:*'

/** Parses one allow-list entry; the message says what is wrong and what is expected. */
export function parseOrigin(text: string): ParsedOrigin {
  const fail = (why: string): ParsedOrigin => ({ ok: false, message: `${why}: ${expected}` })
  const match = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)(.*)$/.exec(text)
  if (!match) return fail(`"${text}" is not an origin`)
  const [, rawScheme = '', authority = '', rest = ''] = match
  const scheme = rawScheme.toLowerCase()
  if (scheme !== 'http' && scheme !== 'https') return fail(`scheme "${rawScheme}" is not allowed`)
  if (rest !== '' && rest !== '/') {
    const what = rest.startsWith('?') ? 'a query' : rest.startsWith('#') ? 'a fragment' : 'a path'
    return fail(`"${text}" has ${what}; an origin has none`)
  }
  if (authority.includes('@')) return fail(`"${text}" has userinfo; an origin has none`)
  const portMatch = /^(.*?)(?::(\*|\d+))?$/.exec(authority)
  const hostPart = (portMatch?.[1] ?? '').toLowerCase()
  const portText = portMatch?.[2]
  if (authority.endsWith(':')) return fail(`"${text}" has an empty port`)
  let port: number | '*' = defaultPort[scheme]
  if (portText === '*') port = '*'
  else if (portText !== undefined) {
    port = Number(portText)
    if (!Number.isInteger(port) || port < 1 || port > 65_535)
      return fail(`port ${portText} is not between 1 and 65535`)
  }
  const wildcard = hostPart.startsWith('*.')
  const host = wildcard ? hostPart.slice(2) : hostPart
  if (host === '') return fail(`"${text}" has no host`)
  if (host.includes('*'))
    return fail(`"${text}": a wildcard may only be a leading "*." before a domain`)
  const isIp = ipv4.test(host) || ipv6.test(host)
  if (wildcard && isIp) return fail(`"${text}": a wildcard goes before a domain, not an address`)
  if (wildcard && !host.includes('.'))
    return fail(`"${text}": "*." must be followed by a domain with at least two labels`)
  if (!isIp && !dnsName.test(host)) return fail(`"${host}" is not a valid host name`)
  return { ok: true, origin: { scheme, host, wildcard, port } }
}

/** The origin of a URL as a request is matched: scheme, lowercase host, port (default when absent). */
export interface RequestOrigin {
  readonly scheme: string
  readonly host: string
  readonly port: number
}

/**
 * True when `request` goes to an allowed origin. A wildcard host matches
 * subdomains only, and never a link-local or cloud-metadata address
 * (169.254.0.0/16, fe80::/10), which only a literal entry allows.
 */
export function originAllowed(request: RequestOrigin, allow: readonly AllowedOrigin[]): boolean {
  return allow.some(
    (o) =>
      o.scheme === request.scheme &&
      (o.port === '*' || o.port === request.port) &&
      (o.wildcard
        ? request.host.endsWith(`.${o.host}`) && !isLinkLocal(request.host)
        : o.host === request.host),
  )
}

/** Link-local and metadata addresses (169.254.0.0/16, fe80::/10). */
export function isLinkLocal(host: string): boolean {
  if (/^169\.254\.\d{1,3}\.\d{1,3}$/.test(host)) return true
  return /^\[?fe[89ab][0-9a-f]:/i.test(host)
}
