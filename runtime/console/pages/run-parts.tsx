/**
 * Parts of the run page: its step runs with their attempts (folded, values
 * and logs cut at 4 KiB), its history, and its child runs — each a page at a
 * time, so a run of 10,000 step runs renders as fast as a run of ten.
 */
import type { JsonValue } from '../../../types/index.js'
import type { EventRecord, RunRecord, StepRunRecord } from '../../store/records.js'
import { duration, Status, TextView, time, ValueView } from './value-view.js'

export function StepRuns(props: {
  readonly runId: string
  readonly steps: readonly StepRunRecord[]
  /** The seq after which the next page starts, when there is one. */
  readonly next: number | undefined
  /** Whether callback URLs are shown (they complete a step: admin and operator keys only). */
  readonly showCallbacks: boolean
  readonly baseUrl: string
}) {
  const { runId } = props
  return (
    <>
      {props.steps.length === 0 ? <p class="muted">No step has run yet.</p> : null}
      {props.steps.map((step) => {
        const name =
          step.compensates === undefined
            ? step.stepId
            : `${step.stepId} (undo of #${step.compensates})`
        return (
          <details id={`step-${step.seq}`} open={step.status === 'failed'}>
            <summary>
              {`#${step.seq} ${name} `}
              <Status status={step.status} />
              {` ${step.task ? `${step.task.name}@${step.task.version}` : ''} · ${step.attempts.length} attempt${step.attempts.length === 1 ? '' : 's'} · ${duration(step.startedAt, step.finishedAt)}`}
            </summary>
            {step.callback && step.status === 'waiting' ? (
              <p class="muted">
                {props.showCallbacks
                  ? `waits for its callback: POST ${props.baseUrl}/v1/callbacks/${step.callback.token}`
                  : 'waits for its callback (its URL is shown to admin and operator keys only)'}
              </p>
            ) : null}
            {step.attempts.map((attempt) => {
              const at = `/console/runs/${runId}/steps/${step.seq}/attempts/${attempt.number}`
              return (
                <div class="attempt">
                  <h3>{`attempt ${attempt.number} · ${attempt.status} · ${duration(attempt.startedAt, attempt.finishedAt)}`}</h3>
                  <dl class="facts">
                    <dt>input</dt>
                    <dd>
                      <ValueView value={attempt.input} all={`${at}/input`} />
                    </dd>
                    {attempt.output !== undefined ? (
                      <>
                        <dt>output</dt>
                        <dd>
                          <ValueView value={attempt.output} all={`${at}/output`} />
                        </dd>
                      </>
                    ) : null}
                    {attempt.error ? (
                      <>
                        <dt>error</dt>
                        <dd class="error">
                          <ValueView
                            value={attempt.error as unknown as JsonValue}
                            all={`${at}/error`}
                          />
                        </dd>
                      </>
                    ) : null}
                    {attempt.log ? (
                      <>
                        <dt>log</dt>
                        <dd>
                          <TextView text={attempt.log} all={`${at}/log`} />
                        </dd>
                      </>
                    ) : null}
                  </dl>
                </div>
              )
            })}
          </details>
        )
      })}
      {props.next !== undefined ? (
        <p>
          <a href={`/console/runs/${runId}?steps=${props.next}`}>More step runs</a>
        </p>
      ) : null}
    </>
  )
}

export function History(props: {
  readonly runId: string
  readonly events: readonly EventRecord[]
  readonly next: number | undefined
}) {
  return (
    <>
      <table id="events">
        <thead>
          <tr>
            <th>seq</th>
            <th>at</th>
            <th>type</th>
            <th>step</th>
            <th>data</th>
          </tr>
        </thead>
        <tbody>
          {props.events.map((event) => {
            const data = JSON.stringify(event.data)
            return (
              <tr>
                <td>{event.seq}</td>
                <td>{time(event.at)}</td>
                <td>{event.type}</td>
                <td>{event.stepId ?? '—'}</td>
                <td>
                  <code>{data.length > 300 ? `${data.slice(0, 300)}…` : data}</code>
                </td>
              </tr>
            )
          })}
        </tbody>
      </table>
      {props.next !== undefined ? (
        <p>
          <a href={`/console/runs/${props.runId}?events=${props.next}`}>More events</a>
        </p>
      ) : null}
    </>
  )
}

export function Children(props: { readonly runs: readonly RunRecord[]; readonly more: boolean }) {
  return (
    <>
      <table id="children">
        <thead>
          <tr>
            <th>run</th>
            <th>flow</th>
            <th>for</th>
            <th>status</th>
          </tr>
        </thead>
        <tbody>
          {props.runs.map((child) => (
            <tr>
              <td>
                <a href={`/console/runs/${child.id}`}>
                  <code>{child.id}</code>
                </a>
              </td>
              <td>{`${child.flow.name}@${child.flow.version}`}</td>
              <td>
                {child.parent?.index !== undefined
                  ? `${child.parent.step} item ${child.parent.index}`
                  : child.parent?.branch !== undefined
                    ? `${child.parent.step} branch ${child.parent.branch}`
                    : (child.parent?.step ?? '')}
              </td>
              <td>
                <Status status={child.status} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {props.more ? <p class="muted">Only the first child runs are shown.</p> : null}
    </>
  )
}
