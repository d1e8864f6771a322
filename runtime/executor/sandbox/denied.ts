/**
 * wasi:filesystem and wasi:sockets in the sandbox: present, so that
 * components built against them instantiate, and denying every call: no
 * directory is preopened, sockets are refused with the interface's own
 * "access denied" error (thrown: jco turns a thrown non-Error into the `err`
 * of a result). Resources cannot be constructed. (wasi:http is in http/.)
 */

function refuse(what: string): never {
  throw new Error(`${what} is denied in the weir sandbox`)
}

const accessDenied = (): never => {
  throw 'access-denied'
}

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
    resolveAddresses: accessDenied,
    ResolveAddressStream: class ResolveAddressStream extends Unconstructible {},
  },
  'wasi:sockets/tcp': { TcpSocket: class TcpSocket extends Unconstructible {} },
  'wasi:sockets/tcp-create-socket': { createTcpSocket: accessDenied },
  'wasi:sockets/udp': {
    UdpSocket: class UdpSocket extends Unconstructible {},
    IncomingDatagramStream: class IncomingDatagramStream extends Unconstructible {},
    OutgoingDatagramStream: class OutgoingDatagramStream extends Unconstructible {},
  },
  'wasi:sockets/udp-create-socket': { createUdpSocket: accessDenied },
}
