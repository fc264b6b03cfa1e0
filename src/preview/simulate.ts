import { Effect, Option } from "effect"
import { sendDue } from "../db/sender.js"
import { validateContact } from "../domain/contact.js"
import { addDays, daysBetween, type IsoDate } from "../domain/dates.js"
import { sendTime } from "../plan/index.js"
import { forEachContactPage, runOnce, yieldToEventLoop } from "../run/index.js"
import type { SettingName } from "../settings/definitions.js"

export type Counts = Readonly<Record<string, number>>

export interface PreviewDay {
  readonly date: IsoDate
  readonly sent: { readonly total: number; readonly byType: Counts; readonly byState: Counts }
  readonly suppressed: { readonly total: number; readonly byReason: Counts; readonly byType: Counts }
}

export interface Preview {
  readonly from: IsoDate
  readonly to: IsoDate
  readonly flags: Partial<Record<SettingName, string>>
  readonly days: ReadonlyArray<PreviewDay>
  readonly totals: {
    readonly sent: number
    readonly suppressed: number
    readonly sentByType: Counts
    readonly sentByState: Counts
    readonly suppressedByReason: Counts
  }
}

const tally = () => {
  const counts = new Map<string, number>()
  return {
    add: (key: string, n = 1) => counts.set(key, (counts.get(key) ?? 0) + n),
    result: (): Counts => Object.fromEntries([...counts].sort(([a], [b]) => (a < b ? -1 : 1)))
  }
}

/** Each contact's resolved state (spec §3.2), "none" without one: what the preview groups by. */
const contactStates = Effect.gen(function* () {
  const states = new Map<number, string>()
  yield* forEachContactPage((page) => {
    for (const row of page.contacts) states.set(row.id, validateContact(row).state ?? "none")
  })
  return states
})

/**
 * The what-if preview: the nightly runs of every day from `from` to `to`, each followed by a sender that sends what
 * is due, on the database it is given (the caller gives a copy: this writes). Per day, what was sent by type and
 * state, and what was suppressed (skipped rows due that day) by reason.
 */
export const previewRange = (options: {
  readonly from: IsoDate
  readonly to: IsoDate
  readonly flags: Partial<Record<SettingName, string>>
  readonly onDay?: (date: IsoDate, done: number, total: number) => void
}) =>
  Effect.gen(function* () {
    const states = yield* contactStates
    const days: Array<PreviewDay> = []
    const sentByType = tally()
    const sentByState = tally()
    const suppressedByReason = tally()
    let sent = 0
    let suppressed = 0
    const count = daysBetween(options.from, options.to) + 1
    for (let date = options.from, index = 0; date <= options.to; date = addDays(date, 1), index++) {
      const report = yield* runOnce({ asOf: Option.some(date), dryRun: false, flags: options.flags })
      const due = yield* sendDue(date, sendTime(report.settings.send_time_hour, report.settings.send_time_minute))
      const byType = tally()
      const byState = tally()
      const byReason = tally()
      const suppressedByType = tally()
      let daySent = 0
      let daySuppressed = 0
      for (const row of due) {
        if (row.status === "pre-scheduled") {
          const state = states.get(row.contact_id) ?? "none"
          byType.add(row.email_type)
          byState.add(state)
          sentByType.add(row.email_type)
          sentByState.add(state)
          daySent++
        } else {
          const reason = row.skip_reason ?? "unknown"
          byReason.add(reason)
          suppressedByType.add(row.email_type)
          suppressedByReason.add(reason)
          daySuppressed++
        }
      }
      sent += daySent
      suppressed += daySuppressed
      days.push({
        date,
        sent: { total: daySent, byType: byType.result(), byState: byState.result() },
        suppressed: { total: daySuppressed, byReason: byReason.result(), byType: suppressedByType.result() }
      })
      options.onDay?.(date, index + 1, count)
      yield* yieldToEventLoop
    }
    const preview: Preview = {
      from: options.from,
      to: options.to,
      flags: options.flags,
      days,
      totals: {
        sent,
        suppressed,
        sentByType: sentByType.result(),
        sentByState: sentByState.result(),
        suppressedByReason: suppressedByReason.result()
      }
    }
    return preview
  })
