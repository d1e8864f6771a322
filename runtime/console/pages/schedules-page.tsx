/** Schedules: each flow's cron triggers and the schedules made through the API, paused and resumed here. */
import type { ScheduleRecord } from '../../store/records.js'
import { Csrf, type Visitor } from './layout.js'
import { time } from './value-view.js'

export function SchedulesPage(props: {
  readonly schedules: readonly ScheduleRecord[]
  readonly visitor: Visitor
  readonly operates: boolean
}) {
  return (
    <>
      <h1>Schedules</h1>
      {props.schedules.length === 0 ? <p class="muted">No schedules.</p> : null}
      <table id="schedules">
        <thead>
          <tr>
            <th>schedule</th>
            <th>flow</th>
            <th>cron</th>
            <th>next</th>
            <th>last</th>
            <th>state</th>
          </tr>
        </thead>
        <tbody>
          {props.schedules.map((schedule) => (
            <tr>
              <td>
                <code>{schedule.id}</code>
              </td>
              <td>
                <a href={`/console/flows/${schedule.flow}`}>{schedule.flow}</a>
              </td>
              <td>
                <code>{`${schedule.cron} (${schedule.timezone})`}</code>
              </td>
              <td>{time(schedule.nextFireAt)}</td>
              <td>{time(schedule.lastFireAt)}</td>
              <td>
                {schedule.paused ? 'paused' : 'active'}
                {props.operates ? (
                  <form
                    method="post"
                    action={`/console/schedules/${encodeURIComponent(schedule.id)}/${schedule.paused ? 'resume' : 'pause'}`}
                  >
                    <Csrf visitor={props.visitor} />
                    <button type="submit">{schedule.paused ? 'Resume' : 'Pause'}</button>
                  </form>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  )
}
