/**
 * The console's one script and one stylesheet, served from `/console/assets/`
 * (the Content-Security-Policy allows scripts and styles from the server
 * itself only: no inline script runs). The script is small: it folds and
 * unfolds nothing by itself (pages use <details>), it only keeps a page live.
 * An element with `data-live` names a server-sent event stream; each message
 * re-reads the page and swaps its <main> in place, keeping open <details>
 * open, at most every 300 ms. Pages read without it.
 */

export const consoleScript = `'use strict'
;(() => {
  const live = document.querySelector('[data-live]')
  if (!live || !window.EventSource) return
  let timer = null
  let busy = false
  const openDetails = () =>
    [...document.querySelectorAll('main details[open][id]')].map((d) => d.id)
  async function refresh() {
    timer = null
    if (busy) return schedule()
    busy = true
    try {
      const open = openDetails()
      const response = await fetch(location.href, { headers: { 'x-weir-fragment': 'main' } })
      if (!response.ok) return
      const html = await response.text()
      const main = document.querySelector('main')
      if (!main) return
      main.innerHTML = html
      for (const id of open) document.getElementById(id)?.setAttribute('open', '')
      document.dispatchEvent(new CustomEvent('weir:refreshed'))
    } finally {
      busy = false
    }
  }
  function schedule() {
    if (timer === null) timer = setTimeout(refresh, 300)
  }
  const source = new EventSource(live.getAttribute('data-live'))
  source.addEventListener('message', schedule)
  source.addEventListener('end', () => {
    schedule()
    source.close()
  })
})()
`

export const consoleCss = `
:root { --fg: #1d2330; --muted: #5d6778; --line: #d8dde6; --bg: #f6f7f9; --accent: #2b59c3;
  --ok: #1f7a3f; --bad: #b3261e; --warn: #8a5a00; --run: #2b59c3; font-family: system-ui, sans-serif; }
body { margin: 0; color: var(--fg); background: #fff; font-size: 14px; }
header { display: flex; align-items: center; gap: 1.5rem; padding: .6rem 1.2rem; border-bottom: 1px solid var(--line); background: var(--bg); }
header .brand { font-weight: 700; color: var(--fg); text-decoration: none; }
header nav { display: flex; gap: 1rem; flex: 1; }
header a { color: var(--accent); text-decoration: none; }
header .who { color: var(--muted); display: flex; gap: .5rem; align-items: center; }
header form { display: inline; }
main { padding: 1rem 1.2rem; max-width: 1200px; }
h1 { font-size: 1.3rem; margin: .2rem 0 .8rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
code, pre { font-family: ui-monospace, monospace; font-size: 12.5px; }
pre { background: var(--bg); border: 1px solid var(--line); padding: .5rem; overflow: auto; max-height: 24rem; white-space: pre-wrap; word-break: break-word; margin: .3rem 0; }
.status { display: inline-block; padding: 0 .45rem; border-radius: .6rem; font-size: 12px; border: 1px solid currentColor; }
.status.completed { color: var(--ok); }
.status.failed, .status.timed_out, .status.terminated { color: var(--bad); }
.status.cancelled, .status.paused, .status.queued { color: var(--warn); }
.status.running, .status.waiting { color: var(--run); }
.status.succeeded { color: var(--ok); }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: .25rem 1rem; margin: 0; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
.ops { display: flex; gap: .5rem; margin: .8rem 0; }
.ops form { display: inline; }
button { font: inherit; padding: .25rem .8rem; border: 1px solid var(--line); border-radius: .3rem; background: #fff; cursor: pointer; }
button.danger { color: var(--bad); border-color: var(--bad); }
.filters { display: flex; flex-wrap: wrap; gap: .5rem; align-items: end; margin-bottom: .8rem; }
.filters label { display: flex; flex-direction: column; font-size: 12px; color: var(--muted); }
input, select, textarea { font: inherit; padding: .2rem .35rem; border: 1px solid var(--line); border-radius: .25rem; }
textarea { width: 100%; min-height: 6rem; font-family: ui-monospace, monospace; }
.notice { padding: .5rem .8rem; border: 1px solid var(--line); background: var(--bg); margin: .5rem 0; }
.notice.error { border-color: var(--bad); color: var(--bad); }
.muted { color: var(--muted); }
.graph { overflow: auto; border: 1px solid var(--line); background: #fff; max-height: 36rem; }
.graph svg { display: block; margin: 0 auto; }
form.event label { display: block; margin: .4rem 0; }
.signin { max-width: 28rem; margin: 4rem auto; }
.signin input { width: 100%; }
details > summary { cursor: pointer; }
`
