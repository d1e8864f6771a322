/** Capabilities checked at publish against what the component imports. */
import { expect, test } from 'vitest'
import { checkTaskComponent } from '../../../runtime/components/check-task.js'
import { dummyComponent } from '../../fixtures/wat-components.js'

const importsHttp =
  'package a:b; package wasi:http@0.2.3 { interface outgoing-handler { handle: func(n: u32) -> u32; } } world w { import wasi:http/outgoing-handler@0.2.3; export run: func() -> u32; }'
const sealed = 'package a:b; world w { export run: func() -> u32; }'
const grant = { http: { allow: ['https://api.example.com'] } }

test('a component that imports wasi:http/outgoing-handler needs the http grant', async () => {
  const result = checkTaskComponent({ name: 'caller' }, await dummyComponent(importsHttp, 'w'))
  expect(result.ok).toBe(false)
  expect(result.ok ? [] : result.problems).toEqual([
    {
      pointer: '/capabilities/http',
      code: 'capability_required',
      message:
        'the component imports "wasi:http/outgoing-handler@0.2.3", which needs the http capability: grant it with "capabilities": { "http": { "allow": [<origins>] } } (e.g. "https://api.example.com")',
    },
  ])
})

test('with the grant it publishes, without warnings', async () => {
  const result = checkTaskComponent(
    { name: 'caller', capabilities: grant },
    await dummyComponent(importsHttp, 'w'),
  )
  expect(result.ok).toBe(true)
  expect(result.warnings).toEqual([])
  expect(result.ok && result.task.capabilities).toEqual(grant)
})

test('a grant the component cannot use is warned about', async () => {
  const result = checkTaskComponent(
    { name: 'caller', capabilities: grant },
    await dummyComponent(sealed, 'w'),
  )
  expect(result.ok).toBe(true)
  expect(result.warnings).toEqual([
    {
      pointer: '/capabilities/http',
      code: 'capability_unused',
      message:
        'the task grants http but its component does not import wasi:http/outgoing-handler: it cannot make requests (a JavaScript task gets fetch when built with weir task build from a task.json that grants http)',
    },
  ])
})

const importsConfig =
  'package a:b; package wasi:config@0.2.0-draft { interface store { get: func(key: string) -> option<string>; } } world w { import wasi:config/store@0.2.0-draft; export run: func() -> u32; }'

test('a component that imports wasi:config/store needs capabilities.env', async () => {
  const bytes = await dummyComponent(importsConfig, 'w')
  const without = checkTaskComponent({ name: 'reader' }, bytes)
  expect(without.ok ? [] : without.problems).toEqual([
    {
      pointer: '/capabilities/env',
      code: 'capability_required',
      message:
        'the component imports "wasi:config/store@0.2.0-draft", which reads the task\'s environment: declare it with "capabilities": { "env": { "NAME": "value" } }',
    },
  ])
  const granted = checkTaskComponent(
    { name: 'reader', capabilities: { env: { REGION: 'eu-west-1' } } },
    bytes,
  )
  expect(granted.ok).toBe(true)
})

test('wasi:config/store is served in its two drafts only', async () => {
  const other = importsConfig.replaceAll('0.2.0-draft', '0.3.0')
  const result = checkTaskComponent(
    { name: 'reader', capabilities: { env: { REGION: 'eu-west-1' } } },
    await dummyComponent(other, 'w'),
  )
  expect(result.ok ? [] : result.problems.map((p) => p.message)).toEqual([
    'import "wasi:config/store@0.3.0" has version 0.3.0: the sandbox provides wasi:config/store 0.2.0-draft and 0.2.0-draft-2024-09-27',
  ])
})
