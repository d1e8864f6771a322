/** Components importing what the sandbox does not provide are rejected on publish, naming the import. */
import { describe, expect, test } from 'vitest'
import { checkTaskComponent } from '../../../runtime/components/check-task.js'
import { probeComponent } from '../../fixtures/probe-component.js'
import { dummyComponent } from '../../fixtures/wat-components.js'

const publish = async (wit: string) =>
  checkTaskComponent({ name: 'task' }, await dummyComponent(wit, 'w'))

describe('imports policy', () => {
  test.each([
    [
      'an interface the sandbox does not provide',
      'package acme:db; interface query { get: func(k: string) -> string; } world w { import query; export run: func() -> u32; }',
      'import "acme:db/query" is not provided by the sandbox',
    ],
    [
      'a host function',
      'package a:b; world w { import log: func(msg: string); export run: func() -> u32; }',
      'import "log" is a func: the sandbox provides only the WASI 0.2 interfaces',
    ],
    [
      'a resource the host would have to provide',
      'package a:b; world w { resource session; import open: func() -> session; export run: func() -> u32; }',
      'import "session" is a resource type the host would have to provide',
    ],
    [
      'a WASI interface of another version line',
      'package a:b; package wasi:io@0.3.0 { interface poll { poll: func(n: u32) -> u32; } } world w { import wasi:io/poll@0.3.0; export run: func() -> u32; }',
      'import "wasi:io/poll@0.3.0" has version 0.3.0: the sandbox provides WASI 0.2.x',
    ],
  ])('rejects %s', async (_name, wit, message) => {
    const result = await publish(wit)
    expect(result.ok).toBe(false)
    if (!result.ok) {
      expect(result.problems.map((p) => p.message)).toEqual(
        expect.arrayContaining([expect.stringContaining(message)]),
      )
    }
  })

  test('WASI 0.2 imports of any patch version are accepted', async () => {
    const result = checkTaskComponent({ name: 'probe', export: 'add' }, await probeComponent())
    expect(result.ok).toBe(true)
  })
})
