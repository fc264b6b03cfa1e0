import type { IsoDate } from "../domain/dates.js"
import type { Counts, Preview } from "./simulate.js"

export interface CountChange {
  readonly key: string
  readonly current: number
  readonly proposed: number
}

export interface DayChange {
  readonly date: IsoDate
  readonly sent: ReadonlyArray<CountChange>
  readonly suppressed: ReadonlyArray<CountChange>
}

export interface PreviewComparison {
  readonly flags: Preview["flags"]
  readonly totals: {
    readonly sent: CountChange
    readonly suppressed: CountChange
    readonly sentByType: ReadonlyArray<CountChange>
    readonly sentByState: ReadonlyArray<CountChange>
    readonly suppressedByReason: ReadonlyArray<CountChange>
  }
  /** Only the days where something differs. */
  readonly days: ReadonlyArray<DayChange>
}

/** The keys whose counts differ, in key order. */
export const countChanges = (current: Counts, proposed: Counts): Array<CountChange> =>
  [...new Set([...Object.keys(current), ...Object.keys(proposed)])]
    .sort()
    .map((key) => ({ key, current: current[key] ?? 0, proposed: proposed[key] ?? 0 }))
    .filter((change) => change.current !== change.proposed)

/** What a change of settings would change over the same range: totals, and day by day by type and reason. */
export const comparePreviews = (current: Preview, proposed: Preview): PreviewComparison => {
  const proposedDays = new Map(proposed.days.map((day) => [day.date, day]))
  const days: Array<DayChange> = []
  for (const day of current.days) {
    const other = proposedDays.get(day.date)
    if (other === undefined) continue
    const sent = countChanges(day.sent.byType, other.sent.byType)
    const suppressed = countChanges(day.suppressed.byReason, other.suppressed.byReason)
    if (sent.length > 0 || suppressed.length > 0) days.push({ date: day.date, sent, suppressed })
  }
  return {
    flags: proposed.flags,
    totals: {
      sent: { key: "sent", current: current.totals.sent, proposed: proposed.totals.sent },
      suppressed: { key: "suppressed", current: current.totals.suppressed, proposed: proposed.totals.suppressed },
      sentByType: countChanges(current.totals.sentByType, proposed.totals.sentByType),
      sentByState: countChanges(current.totals.sentByState, proposed.totals.sentByState),
      suppressedByReason: countChanges(current.totals.suppressedByReason, proposed.totals.suppressedByReason)
    },
    days
  }
}
