/** The content-addressed cache of transpiled components. */
import { readdirSync } from 'node:fs'
import { describe, expect, test } from 'vitest'
import { ComponentCache, sha256Hex } from '../../../runtime/components/component-cache.js'
import { tempCache } from '../../fixtures/executor-harness.js'
import { probeComponent } from '../../fixtures/probe-component.js'

describe('ComponentCache', () => {
  test('transpiles once into a folder named by the sha256, which a later process finds', async () => {
    const cache = tempCache()
    const bytes = await probeComponent()
    const [a, b] = await Promise.all([cache.ensureTranspiled(bytes), cache.ensureTranspiled(bytes)])
    expect(a).toEqual(b)
    expect(a.sha256).toBe(sha256Hex(bytes))
    expect(readdirSync(cache.dir)).toEqual([a.sha256])
    const later = new ComponentCache(cache.dir)
    expect(await later.get(a.sha256)).toEqual(a)
    expect(a.jsUrl).toMatch(new RegExp(`/${a.sha256}/component\\.mjs$`))
  })

  test('an unknown sha256 is not in the cache, and a malformed one is refused', async () => {
    const cache = tempCache()
    expect(await cache.get('0'.repeat(64))).toBeUndefined()
    await expect(cache.get('../etc')).rejects.toThrow('not a sha256: ../etc')
  })

  test('core modules are compiled once per memory limit', async () => {
    const cache = tempCache()
    const component = await cache.ensureTranspiled(await probeComponent())
    const first = await cache.compiled(component, 64)
    expect(await cache.compiled(component, 64)).toBe(first)
    expect(await cache.compiled(component, 32)).not.toBe(first)
    expect(Object.values(first).every((m) => m instanceof WebAssembly.Module)).toBe(true)
  })
})
