/**
 * wasi:filesystem, wasi:sockets and wasi:http in the sandbox: present, so that
 * components built against them instantiate, and denying every call: no
 * directory is preopened, sockets and requests are refused with the
 * interface's own "access denied" error. Resources cannot be constructed.
 */

function refuse(what: string): never {
  throw new Error(`${what} is denied in the weir sandbox`)
}

const err = <E>(val: E) => ({ tag: 'err' as const, val })

class Unconstructible {
  constructor() {
    refuse('creating this resource')
  }
}

export const denied = {
  'wasi:filesystem/preopens': { getDirectories: (): [] => [] },
  'wasi:filesystem/types': {
    Descriptor: class Descriptor extends Unconstructible {},
    DirectoryEntryStream: class DirectoryEntryStream extends Unconstructible {},
    filesystemErrorCode: (): undefined => undefined,
  },
  'wasi:sockets/network': { Network: class Network extends Unconstructible {} },
  'wasi:sockets/instance-network': { instanceNetwork: () => refuse('wasi:sockets') },
  'wasi:sockets/ip-name-lookup': {
    resolveAddresses: () => err('access-denied'),
    ResolveAddressStream: class ResolveAddressStream extends Unconstructible {},
  },
  'wasi:sockets/tcp': { TcpSocket: class TcpSocket extends Unconstructible {} },
  'wasi:sockets/tcp-create-socket': { createTcpSocket: () => err('access-denied') },
  'wasi:sockets/udp': {
    UdpSocket: class UdpSocket extends Unconstructible {},
    IncomingDatagramStream: class IncomingDatagramStream extends Unconstructible {},
    OutgoingDatagramStream: class OutgoingDatagramStream extends Unconstructible {},
  },
  'wasi:sockets/udp-create-socket': { createUdpSocket: () => err('access-denied') },
  'wasi:http/outgoing-handler': { handle: () => err({ tag: 'HTTP-request-denied' }) },
  'wasi:http/types': {
    httpErrorCode: (): undefined => undefined,
    Fields: class Fields extends Unconstructible {
      static fromList() {
        return refuse('wasi:http')
      }
    },
    FutureIncomingResponse: class FutureIncomingResponse extends Unconstructible {},
    FutureTrailers: class FutureTrailers extends Unconstructible {},
    IncomingBody: class IncomingBody extends Unconstructible {},
    IncomingRequest: class IncomingRequest extends Unconstructible {},
    IncomingResponse: class IncomingResponse extends Unconstructible {},
    OutgoingBody: class OutgoingBody extends Unconstructible {
      static finish() {
        return refuse('wasi:http')
      }
    },
    OutgoingRequest: class OutgoingRequest extends Unconstructible {},
    OutgoingResponse: class OutgoingResponse extends Unconstructible {},
    RequestOptions: class RequestOptions extends Unconstructible {},
    ResponseOutparam: class ResponseOutparam extends Unconstructible {
      static set() {
        return refuse('wasi:http')
      }
    },
  },
}
