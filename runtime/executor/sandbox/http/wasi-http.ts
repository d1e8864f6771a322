/**
 * `wasi:http/types` and `wasi:http/outgoing-handler` on the sandbox's own
 * wasi:io, for one task instance: the client side works (through the
 * session's allow-list), the server side (incoming requests, outgoing
 * responses) cannot be constructed.
 */
import { IoError } from '../io.js'
import { Fields } from './fields.js'
import { OutgoingBody, OutgoingRequest, RequestOptions } from './request.js'
import {
  FutureIncomingResponse,
  FutureTrailers,
  IncomingBody,
  IncomingResponse,
} from './response.js'
import type { HttpSession } from './session.js'

function serverSide(): never {
  throw new Error('serving HTTP is not available in the weir sandbox')
}

class IncomingRequest {
  constructor() {
    serverSide()
  }
}
class OutgoingResponse {
  constructor() {
    serverSide()
  }
}
class ResponseOutparam {
  constructor() {
    serverSide()
  }
  static set(): never {
    return serverSide()
  }
}

export function wasiHttp(session: HttpSession): Record<string, object> {
  return {
    'wasi:http/types': {
      Fields,
      FutureIncomingResponse,
      FutureTrailers,
      IncomingBody,
      IncomingRequest,
      IncomingResponse,
      OutgoingBody,
      OutgoingRequest,
      OutgoingResponse,
      RequestOptions,
      ResponseOutparam,
      httpErrorCode: (error: IoError) => (error instanceof IoError ? error.httpCode : undefined),
    },
    'wasi:http/outgoing-handler': {
      handle: (request: OutgoingRequest, options: RequestOptions | undefined) =>
        session.handle(request, options),
    },
  }
}
