/** Sign-in: an API key, exchanged for a session cookie; the key itself is not kept by the browser. */
export function SignInPage(props: {
  readonly next: string
  readonly problem?: string | undefined
}) {
  return (
    <div class="signin">
      <h1>Sign in to weir</h1>
      {props.problem ? <p class="notice error">{props.problem}</p> : null}
      <form method="post" action="/console/sign-in">
        <input type="hidden" name="next" value={props.next} />
        <label>
          API key
          <input
            type="password"
            name="key"
            autocomplete="off"
            placeholder="weir_…"
            required
            autofocus
          />
        </label>
        <p>
          <button type="submit">Sign in</button>
        </p>
      </form>
      <p class="muted">
        The admin key of a new server is in its data directory (admin.token); `weir keys create`
        makes others, with the role that decides what you may do here.
      </p>
    </div>
  )
}
