/**
 * The runs list: newest first, filtered by flow, process, status and creation
 * time, one page at a time (keyset pagination: "older" carries the cursor),
 * kept live by the runs stream with the same filters.
 */
import { type RunRecord, runStatuses } from '../../store/records.js'
import { Status, time } from './value-view.js'

/** The list's filters, as the query string carries them. */
export interface RunsFilter {
  readonly flow?: string | undefined
  readonly process?: string | undefined
  readonly status?: string | undefined
  readonly from?: string | undefined
  readonly to?: string | undefined
}

/** The filters as a query string (without `?`), for links and the live stream. */
export function filterQuery(filter: RunsFilter, extra: Record<string, string> = {}): string {
  const entries = Object.entries({ ...filter, ...extra }).filter(
    (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
  )
  return new URLSearchParams(entries).toString()
}

export function RunsPage(props: {
  readonly runs: readonly RunRecord[]
  readonly filter: RunsFilter
  readonly nextCursor: string | undefined
}) {
  const { filter } = props
  return (
    <>
      <h1>Runs</h1>
      <form class="filters" method="get" action="/console">
        <label>
          flow
          <input name="flow" value={filter.flow ?? ''} />
        </label>
        <label>
          process
          <input name="process" value={filter.process ?? ''} />
        </label>
        <label>
          status
          <select name="status">
            <option value="">any</option>
            {runStatuses.map((s) => (
              <option value={s} selected={filter.status === s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          created from
          <input name="from" placeholder="2026-11-30T00:00:00Z" value={filter.from ?? ''} />
        </label>
        <label>
          to
          <input name="to" placeholder="ISO 8601" value={filter.to ?? ''} />
        </label>
        <button type="submit">Filter</button>
      </form>
      {props.runs.length === 0 ? (
        <p class="muted">No runs.</p>
      ) : (
        <table id="runs">
          <thead>
            <tr>
              <th>run</th>
              <th>flow</th>
              <th>status</th>
              <th>created</th>
              <th>step</th>
              <th>parent</th>
            </tr>
          </thead>
          <tbody>
            {props.runs.map((run) => (
              <tr data-run={run.id}>
                <td>
                  <a href={`/console/runs/${run.id}`}>
                    <code>{run.id}</code>
                  </a>
                </td>
                <td>
                  <a href={`/console/flows/${run.flow.name}?version=${run.flow.version}`}>
                    {`${run.flow.name}@${run.flow.version}`}
                  </a>
                </td>
                <td>
                  <Status status={run.status} />
                </td>
                <td>{time(run.createdAt)}</td>
                <td>{run.currentStep ?? '—'}</td>
                <td>
                  {run.parent ? (
                    <a href={`/console/runs/${run.parent.run}`}>{run.parent.step}</a>
                  ) : (
                    '—'
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {props.nextCursor ? (
        <p>
          <a href={`/console?${filterQuery(filter, { cursor: props.nextCursor })}`}>Older runs</a>
        </p>
      ) : null}
    </>
  )
}
