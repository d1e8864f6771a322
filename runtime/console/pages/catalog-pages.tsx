/**
 * What is published: flows (each with its versions, its document, its graph
 * and its output type) and tasks (each with its versions, WIT signature,
 * schemas and capabilities).
 */
import { raw } from 'hono/html'
import type { JsonValue } from '../../../types/index.js'
import type { FlowRecord, TaskRecord } from '../../store/records.js'
import { time, ValueView } from './value-view.js'

export function FlowsPage(props: { readonly flows: readonly FlowRecord[] }) {
  return (
    <>
      <h1>Flows</h1>
      <table id="flows">
        <thead>
          <tr>
            <th>flow</th>
            <th>latest</th>
            <th>process</th>
            <th>description</th>
          </tr>
        </thead>
        <tbody>
          {props.flows.map((flow) => (
            <tr>
              <td>
                <a href={`/console/flows/${flow.name}`}>{flow.name}</a>
              </td>
              <td>{`v${flow.version}`}</td>
              <td>{flow.process}</td>
              <td>{flow.document.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

export function FlowPage(props: {
  readonly flow: FlowRecord
  readonly versions: readonly number[]
  readonly graph: string
}) {
  const { flow } = props
  return (
    <>
      <h1>{`Flow ${flow.name}@${flow.version}`}</h1>
      <p>{flow.document.description ?? ''}</p>
      <p>
        {'versions: '}
        {props.versions.map((v) => (
          <>
            <a href={`/console/flows/${flow.name}?version=${v}`}>{`v${v}`}</a>{' '}
          </>
        ))}
        {' · '}
        <a href={`/console?flow=${encodeURIComponent(flow.name)}`}>its runs</a>
      </p>
      <p class="muted">{`published ${time(flow.createdAt)} · process ${flow.process}`}</p>
      <h2>Graph</h2>
      <div class="graph">{raw(props.graph)}</div>
      <h2>Output type</h2>
      <ValueView value={(flow.outputSchema ?? null) as JsonValue} />
      <h2>Document</h2>
      <ValueView value={flow.document as unknown as JsonValue} />
    </>
  )
}

export function TasksPage(props: { readonly tasks: readonly TaskRecord[] }) {
  return (
    <>
      <h1>Tasks</h1>
      <table id="tasks">
        <thead>
          <tr>
            <th>task</th>
            <th>latest</th>
            <th>signature</th>
            <th>description</th>
          </tr>
        </thead>
        <tbody>
          {props.tasks.map((task) => (
            <tr>
              <td>
                <a href={`/console/tasks/${task.name}`}>{task.name}</a>
              </td>
              <td>{`v${task.version}`}</td>
              <td>
                <code>{task.binding.signature}</code>
              </td>
              <td>{task.document.description ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}

export function TaskPage(props: {
  readonly task: TaskRecord
  readonly versions: readonly number[]
}) {
  const { task } = props
  return (
    <>
      <h1>{`Task ${task.name}@${task.version}`}</h1>
      <p>{task.document.description ?? ''}</p>
      <p>
        {'versions: '}
        {props.versions.map((v) => (
          <>
            <a href={`/console/tasks/${task.name}?version=${v}`}>{`v${v}`}</a>{' '}
          </>
        ))}
      </p>
      <dl class="facts">
        <dt>WIT</dt>
        <dd>
          <code>{`${task.binding.export}: ${task.binding.signature}`}</code>
        </dd>
        <dt>component</dt>
        <dd>
          <code>{task.document.component}</code>
        </dd>
        <dt>published</dt>
        <dd>{time(task.createdAt)}</dd>
      </dl>
      <h2>Input schema</h2>
      <ValueView value={(task.document.input ?? null) as JsonValue} />
      <h2>Output schema</h2>
      <ValueView value={(task.document.output ?? null) as JsonValue} />
      <h2>Capabilities</h2>
      <ValueView value={(task.document.capabilities ?? {}) as JsonValue} />
    </>
  )
}
