/**
 * The frame of every console page: the navigation, who is signed in (with
 * sign-out), and the page's content in <main>. Every value a user or a task
 * produced goes through JSX, which escapes it.
 */
import type { Child } from 'hono/jsx'
import type { Role } from '../../store/records.js'

/** The signed-in visitor: their API key's name and role, and the CSRF token of their session. */
export interface Visitor {
  /** The id of the API key behind the session. */
  readonly keyId: string
  readonly name: string
  readonly role: Role
  readonly csrf: string
}

/** A hidden field carrying the session's CSRF token, for every form that changes something. */
export const Csrf = ({ visitor }: { visitor: Visitor }) => (
  <input type="hidden" name="csrf" value={visitor.csrf} />
)

export function Layout(props: {
  readonly title: string
  readonly visitor: Visitor | undefined
  /** A stream of server-sent events: each message refreshes <main>. */
  readonly live?: string | undefined
  readonly children?: Child
}) {
  const { visitor } = props
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${props.title} · weir`}</title>
        <link rel="stylesheet" href="/console/assets/console.css" />
        <script src="/console/assets/console.js" defer />
      </head>
      <body>
        <header>
          <a class="brand" href="/console">
            weir
          </a>
          {visitor ? (
            <nav>
              <a href="/console">Runs</a>
              <a href="/console/flows">Flows</a>
              <a href="/console/tasks">Tasks</a>
              <a href="/console/schedules">Schedules</a>
            </nav>
          ) : (
            <nav />
          )}
          {visitor ? (
            <span class="who">
              <span>
                {visitor.name} ({visitor.role})
              </span>
              <form method="post" action="/console/sign-out">
                <Csrf visitor={visitor} />
                <button type="submit">Sign out</button>
              </form>
            </span>
          ) : null}
        </header>
        {props.live ? <div hidden data-live={props.live} /> : null}
        <main>{props.children}</main>
      </body>
    </html>
  )
}
