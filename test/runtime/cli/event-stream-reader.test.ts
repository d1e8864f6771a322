/** The CLI's server-sent events parser: fields, comments, line ends split across chunks, the last event id. */
import { expect, test } from 'vitest'
import { readEventStream } from '../../../runtime/cli/event-stream-reader.js'

/** A body that delivers `chunks` one read at a time. */
const body = (chunks: readonly string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk))
      controller.close()
    },
  })

async function read(chunks: readonly string[]) {
  const messages: unknown[] = []
  for await (const message of readEventStream(body(chunks))) messages.push(message)
  return messages
}

test.each([
  {
    name: 'plain messages, with ids',
    chunks: ['data: {"seq":1}\nid: 1\n\ndata: {"seq":2}\nid: 2\n\n'],
    messages: [
      { event: 'message', id: '1', data: '{"seq":1}' },
      { event: 'message', id: '2', data: '{"seq":2}' },
    ],
  },
  {
    name: 'a named event keeps the last id; comments are skipped',
    chunks: [
      ': keep-alive\n\ndata: a\nid: 7\n\n: keep-alive\n\nevent: end\ndata: {"status":"failed"}\n\n',
    ],
    messages: [
      { event: 'message', id: '7', data: 'a' },
      { event: 'end', id: '7', data: '{"status":"failed"}' },
    ],
  },
  {
    name: 'CRLF and CR line ends, split between chunks',
    chunks: ['data: one\r', '\nid: 1\r', '\r', 'data:two\rdata:  three\r\r'],
    messages: [
      { event: 'message', id: '1', data: 'one' },
      { event: 'message', id: '1', data: 'two\n three' },
    ],
  },
  {
    name: 'a message cut off by the end of the stream is dropped; one without data is no message',
    chunks: ['event: ping\n\ndata: whole\n\ndata: cut'],
    messages: [{ event: 'message', id: undefined, data: 'whole' }],
  },
])('$name', async ({ chunks, messages }) => {
  expect(await read(chunks)).toEqual(messages)
})

test('a multi-byte character split between two reads comes whole', async () => {
  const bytes = new TextEncoder().encode('data: é\n\n')
  const split = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(bytes.slice(0, 7))
      controller.enqueue(bytes.slice(7))
      controller.close()
    },
  })
  const messages: unknown[] = []
  for await (const message of readEventStream(split)) messages.push(message)
  expect(messages).toEqual([{ event: 'message', id: undefined, data: 'é' }])
})
