/**
 * A run: its status, times, input, output and error; the flow's graph with
 * the path it took and its current or failed step marked; the operations the
 * visitor's role allows in its status; the form of a step waiting for an
 * event; its step runs, child runs and history. A child run links to its
 * parent, a parent to its children.
 */
import { raw } from 'hono/html'
import type { JsonValue, ValueSchema } from '../../../types/index.js'
import type { EventRecord, RunRecord, StepRunRecord } from '../../store/records.js'
import { EventForm } from './event-form.js'
import { Csrf, type Visitor } from './layout.js'
import { Children, History, StepRuns } from './run-parts.js'
import { duration, Status, time, ValueView } from './value-view.js'

export type Operation = 'cancel' | 'terminate' | 'pause' | 'resume' | 'retry'

/** The operations a run in its status can take (the engine has the last word). */
export function operationsFor(run: RunRecord): Operation[] {
  if (run.compensation === 'running') return ['terminate']
  switch (run.status) {
    case 'running':
    case 'waiting':
      return ['pause', 'cancel', 'terminate']
    case 'queued':
      return ['cancel', 'terminate']
    case 'paused':
      return ['resume', 'cancel', 'terminate']
    case 'failed':
    case 'timed_out':
      return run.parent || run.compensation ? [] : ['retry']
    default:
      return []
  }
}

export interface RunPageProps {
  readonly run: RunRecord
  readonly visitor: Visitor
  /** Whether the visitor may operate runs (operator and admin keys). */
  readonly operates: boolean
  readonly graph: string | undefined
  readonly steps: readonly StepRunRecord[]
  readonly stepsNext: number | undefined
  readonly events: readonly EventRecord[]
  readonly eventsNext: number | undefined
  readonly children: readonly RunRecord[]
  readonly moreChildren: boolean
  /** The event the current step waits for, with its payload's schema. */
  readonly waitsFor:
    | { readonly event: string; readonly schema: ValueSchema | undefined }
    | undefined
  readonly baseUrl: string
  readonly notice?: { readonly kind: 'ok' | 'error'; readonly text: string } | undefined
}

export function RunPage(props: RunPageProps) {
  const { run, visitor } = props
  const at = `/console/runs/${run.id}`
  const operations = props.operates ? operationsFor(run) : []
  return (
    <>
      <h1>
        {'Run '}
        <code>{run.id}</code> <Status status={run.status} />
      </h1>
      {props.notice ? (
        <p class={`notice ${props.notice.kind === 'error' ? 'error' : ''}`}>{props.notice.text}</p>
      ) : null}
      <dl class="facts">
        <dt>flow</dt>
        <dd>
          <a href={`/console/flows/${run.flow.name}?version=${run.flow.version}`}>
            {`${run.flow.name}@${run.flow.version}`}
          </a>
          {` · ${run.process}`}
        </dd>
        {run.parent ? (
          <>
            <dt>parent</dt>
            <dd>
              <a href={`/console/runs/${run.parent.run}`}>
                <code>{run.parent.run}</code>
              </a>
              {` step ${run.parent.step}${run.parent.branch !== undefined ? ` branch ${run.parent.branch}` : ''}${run.parent.index !== undefined ? ` item ${run.parent.index}` : ''}`}
            </dd>
          </>
        ) : null}
        <dt>created</dt>
        <dd>{time(run.createdAt)}</dd>
        <dt>finished</dt>
        <dd>{`${time(run.finishedAt)} (${duration(run.startedAt, run.finishedAt)})`}</dd>
        {run.currentStep && !run.finishedAt ? (
          <>
            <dt>current step</dt>
            <dd>{run.currentStep}</dd>
          </>
        ) : null}
        {run.compensation ? (
          <>
            <dt>compensation</dt>
            <dd>{run.compensation}</dd>
          </>
        ) : null}
      </dl>
      {operations.length > 0 ? (
        <div class="ops">
          {operations.map((operation) => (
            <form method="post" action={`${at}/${operation}`}>
              <Csrf visitor={visitor} />
              <button
                type="submit"
                class={operation === 'terminate' || operation === 'cancel' ? 'danger' : ''}
              >
                {operation[0]?.toUpperCase() + operation.slice(1)}
              </button>
            </form>
          ))}
        </div>
      ) : null}
      {props.waitsFor && props.operates ? (
        <>
          <h2>{`Waiting for event "${props.waitsFor.event}"`}</h2>
          <EventForm
            runId={run.id}
            event={props.waitsFor.event}
            schema={props.waitsFor.schema}
            visitor={visitor}
          />
        </>
      ) : null}
      {run.error ? (
        <>
          <h2>Error</h2>
          <p class="notice error">
            {`step ${run.error.step}${run.error.task ? ` (${run.error.task})` : ''}, ${run.error.kind}, attempt ${run.error.attempt}: ${run.error.message}`}
          </p>
        </>
      ) : null}
      {props.graph ? (
        <>
          <h2>Graph</h2>
          <div class="graph">{raw(props.graph)}</div>
        </>
      ) : null}
      <h2>Input</h2>
      <ValueView value={run.input} all={`${at}/input`} />
      {run.status === 'completed' ? (
        <>
          <h2>Output</h2>
          <ValueView value={run.output} all={`${at}/output`} />
        </>
      ) : null}
      <h2>Steps</h2>
      <StepRuns
        runId={run.id}
        steps={props.steps}
        next={props.stepsNext}
        showCallbacks={props.operates}
        baseUrl={props.baseUrl}
      />
      {props.children.length > 0 ? (
        <>
          <h2>Child runs</h2>
          <Children runs={props.children} more={props.moreChildren} />
        </>
      ) : null}
      <h2>History</h2>
      <History runId={run.id} events={props.events} next={props.eventsNext} />
    </>
  )
}

/** A whole value, on a page of its own ("show all"). */
export function WholeValue(props: {
  readonly title: string
  readonly back: string
  readonly value: JsonValue | string
}) {
  return (
    <>
      <h1>{props.title}</h1>
      <p>
        <a href={props.back}>back</a>
      </p>
      <pre>
        {typeof props.value === 'string' ? props.value : JSON.stringify(props.value, null, 2)}
      </pre>
    </>
  )
}
