/** `PUT /v1/components/{sha256}`: upload a component's bytes, checked against their hash and decoded. */
import { sha256Hex } from '../../components/component-cache.js'
import { decodeComponent } from '../../components/decode-component.js'
import { formatFuncType } from '../../components/wit-types.js'
import { WeirError } from '../../errors.js'
import { parameterSchemas } from '../api-schemas.js'
import { audits } from '../audit-actions.js'
import { pathParam, type Route } from '../route.js'

export const componentRoutes: Route[] = [
  {
    method: 'put',
    path: '/v1/components/{sha256}',
    operationId: 'putComponent',
    audit: audits.putComponent,
    summary: 'Upload component bytes (idempotent); answers its exports and their WIT signatures',
    tag: 'components',
    role: 'publisher',
    parameters: [pathParam('sha256', 'the sha256 of the bytes, hex', parameterSchemas.sha256)],
    body: {
      contentType: 'application/wasm',
      description: 'a WebAssembly component (binary)',
      schema: { type: 'string', format: 'binary' },
      limit: 'component',
    },
    responses: {
      200: {
        description: 'Stored (or already there) and decoded',
        schema: {
          type: 'object',
          required: ['sha256', 'size', 'exports', 'imports'],
          properties: {
            sha256: { type: 'string' },
            size: { type: 'integer' },
            exports: {
              type: 'array',
              items: {
                type: 'object',
                properties: { name: { type: 'string' }, signature: { type: 'string' } },
              },
            },
            imports: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
    async handle({ params, bytes = new Uint8Array() }, { catalog }) {
      const claimed = String(params.sha256)
      const actual = sha256Hex(bytes)
      if (actual !== claimed)
        throw new WeirError(
          'invalid_request',
          `the body's sha256 is ${actual}, not ${claimed} as the path says`,
        )
      const decoded = decodeComponent(bytes)
      await catalog.putComponent(bytes)
      return {
        status: 200,
        body: {
          sha256: actual,
          size: bytes.length,
          exports: decoded.exports.map((e) => ({
            name: e.name,
            signature: formatFuncType(e.func),
          })),
          imports: decoded.imports.map((i) => i.name),
        },
      }
    },
  },
]
