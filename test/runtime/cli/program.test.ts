/** The command line's shape: `--version` is weir's only before a command, a command's own after it. */
import { expect, test } from 'vitest'
import { asksForVersion } from '../../../runtime/cli/program.js'

test.each([
  [['--version'], true],
  [['-V'], true],
  [['--json', '--version'], true],
  [['--url', 'http://x', '--token', 't', '--data-dir', 'd', '-V'], true],
  [['run', 'checkout', '--version', '2'], false],
  [['--json', 'run', 'checkout', '--version', '2'], false],
  [['--url', '--version'], false],
  [['runs', 'list'], false],
  [[], false],
])('asksForVersion(%j) is %s', (args, expected) => {
  expect(asksForVersion(args)).toBe(expected)
})
