/**
 * The allow-list of a task's `http` capability, and the origin of a request
 * as the task wrote it. Entries are `scheme://host[:port]` with an optional
 * `*.` host prefix (any subdomain, never the bare domain, never an IP
 * literal) and an optional `:*` port; without a port the scheme's default
 * applies. A request matches on its scheme, host and port only — nothing is
 * resolved here; the helper thread refuses link-local destinations reached
 * through a `*.` entry once the name is resolved.
 */

export type HttpScheme = 'http' | 'https'

/** One parsed entry of `capabilities.http.allow`. */
export interface AllowEntry {
  readonly text: string
  readonly scheme: HttpScheme
  /** Lowercase host; for a wildcard entry, the domain after `*.`. IPv6 without brackets. */
  readonly host: string
  readonly wildcard: boolean
  readonly port: number | '*'
}

/** Where a request goes: scheme, host and port from its scheme and authority. */
export interface RequestOrigin {
  readonly scheme: HttpScheme
  readonly host: string
  readonly port: number
  /** `scheme://authority` as the task wrote it (lowercased), for log lines. */
  readonly text: string
}

const defaultPort = (scheme: HttpScheme): number => (scheme === 'https' ? 443 : 80)
const labelPattern = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/
const ipv4Pattern = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/

function isDnsName(host: string): boolean {
  return host.length <= 253 && host.split('.').every((label) => labelPattern.test(label))
}

function isIpv4(host: string): boolean {
  const m = ipv4Pattern.exec(host)
  return m?.slice(1).every((part) => Number(part) <= 255) ?? false
}

const isIpv6 = (host: string): boolean => /^[0-9a-f:.]+$/.test(host) && host.includes(':')

/** Splits `host[:port]` (IPv6 in brackets); undefined when it is not that shape. */
function splitAuthority(authority: string): { host: string; port: string | undefined } | undefined {
  const bracketed = /^\[([^\]]+)\](?::([^:]*))?$/.exec(authority)
  if (bracketed) return { host: bracketed[1] as string, port: bracketed[2] }
  const parts = authority.split(':')
  if (parts.length > 2) return undefined
  return { host: parts[0] as string, port: parts[1] }
}

function parsePort(text: string): number | undefined {
  if (!/^\d{1,5}$/.test(text)) return undefined
  const port = Number(text)
  return port >= 1 && port <= 65535 ? port : undefined
}

function validHost(host: string): boolean {
  return isIpv4(host) || isIpv6(host) || isDnsName(host)
}

/** Parses one allow-list entry; a string is the reason it is not one. */
export function parseAllowEntry(text: string): AllowEntry | string {
  const m = /^(https?):\/\/([^/?#]+)\/?$/i.exec(text)
  if (!m) return 'an origin is scheme://host[:port] with scheme http or https, and no path'
  const scheme = (m[1] as string).toLowerCase() as HttpScheme
  const authority = (m[2] as string).toLowerCase()
  if (authority.includes('@')) return 'an origin carries no userinfo (user@)'
  const parts = splitAuthority(authority)
  if (!parts) return 'the host and port are not host[:port] (an IPv6 address goes in brackets)'
  const wildcard = parts.host.startsWith('*.')
  const host = wildcard ? parts.host.slice(2) : parts.host
  if (wildcard ? !isDnsName(host) || isIpv4(host) || !host.includes('.') : !validHost(host))
    return wildcard
      ? 'a *. wildcard stands before a domain name of at least two labels'
      : `"${parts.host}" is not a host name or IP address`
  let port: number | '*' = defaultPort(scheme)
  if (parts.port === '*') port = '*'
  else if (parts.port !== undefined) {
    const parsed = parsePort(parts.port)
    if (parsed === undefined) return `"${parts.port}" is not a port (1-65535 or *)`
    port = parsed
  }
  return { text, scheme, host, wildcard, port }
}

/** The parsed entries of an allow-list; entries that do not parse (publishing refuses them) match nothing. */
export function parseAllowList(allow: readonly string[]): AllowEntry[] {
  return allow.flatMap((text) => {
    const entry = parseAllowEntry(text)
    return typeof entry === 'string' ? [] : [entry]
  })
}

/** Why a request's scheme and authority cannot be matched at all (refused before the allow-list). */
export type OriginProblem =
  | { readonly kind: 'scheme'; readonly scheme: string }
  | { readonly kind: 'userinfo'; readonly text: string }
  | { readonly kind: 'authority'; readonly authority: string | undefined }

/** The origin of a request from its scheme (`undefined`: https) and authority, exactly as the task set them. */
export function requestOrigin(
  scheme: string | undefined,
  authority: string | undefined,
): RequestOrigin | OriginProblem {
  const s = (scheme ?? 'https').toLowerCase()
  if (s !== 'http' && s !== 'https') return { kind: 'scheme', scheme: s }
  if (authority === undefined || authority === '') return { kind: 'authority', authority }
  const lower = authority.toLowerCase()
  if (lower.includes('@'))
    return { kind: 'userinfo', text: `${s}://${lower.slice(lower.lastIndexOf('@') + 1)}` }
  const parts = splitAuthority(lower)
  if (!parts || !validHost(parts.host)) return { kind: 'authority', authority }
  const port = parts.port === undefined ? defaultPort(s) : parsePort(parts.port)
  if (port === undefined) return { kind: 'authority', authority }
  return { scheme: s, host: parts.host, port, text: `${s}://${lower}` }
}

/** The first entry that lets a request go to `origin`, if any. */
export function matchOrigin(
  entries: readonly AllowEntry[],
  origin: RequestOrigin,
): AllowEntry | undefined {
  return entries.find(
    (e) =>
      e.scheme === origin.scheme &&
      (e.port === '*' || e.port === origin.port) &&
      (e.wildcard
        ? origin.host.endsWith(`.${e.host}`) && !isIpv4(origin.host) && !isIpv6(origin.host)
        : e.host === origin.host),
  )
}

/**
 * Link-local and cloud-metadata addresses (169.254.0.0/16, fe80::/10, and
 * IPv4-mapped forms): a destination a `*.` entry must never reach.
 */
export function isLinkLocal(address: string): boolean {
  const a = address.toLowerCase()
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)
  if (mapped) return isLinkLocal(mapped[1] as string)
  if (isIpv4(a)) return a.startsWith('169.254.')
  return /^fe[89ab][0-9a-f]:/.test(a)
}
