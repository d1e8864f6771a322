/**
 * The server's log: readable one-line logs when stderr is a terminal (a
 * person is watching), JSON lines otherwise (a collector is). Lines about a
 * run carry its id and flow; request paths and errors are masked before they
 * are logged (callback tokens, the request's key), never here.
 */
import pino, { type DestinationStream, type Logger } from 'pino'
import pretty from 'pino-pretty'

export function serverLogger(
  level: string,
  terminal = process.stderr.isTTY === true,
  /** Where lines go (default stderr); tests give a stream of their own. */
  destination?: DestinationStream & NodeJS.WritableStream,
): Logger {
  if (!terminal) return pino({ level }, destination ?? pino.destination({ dest: 2, sync: false }))
  return pino(
    { level },
    pretty({
      destination: destination ?? 2,
      colorize: destination === undefined,
      singleLine: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
    }),
  )
}
