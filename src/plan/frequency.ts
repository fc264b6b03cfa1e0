import { dateFromDayNumber, toDayNumber } from "../domain/dates.js"
import { isFrequencyExempt } from "../domain/email.js"
import type { PlannedEmail } from "./plan.js"

const byLimitOrder = (a: PlannedEmail, b: PlannedEmail) =>
  a.priority - b.priority ||
  (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) ||
  (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
  (a.campaignInstanceId ?? -1) - (b.campaignInstanceId ?? -1)

/** The position of the first of the ascending `days` that is ≥ `day`. */
const firstFrom = (days: ReadonlyArray<number>, day: number): number => {
  let low = 0
  let high = days.length
  while (low < high) {
    const middle = (low + high) >>> 1
    if (days[middle]! < day) low = middle + 1
    else high = middle
  }
  return low
}

/** How many of the ascending `days` (whole days) fall in [from, to]. */
const countBetween = (days: ReadonlyArray<number>, from: number, to: number): number =>
  firstFrom(days, to + 1) - firstFrom(days, from)

/**
 * Spec §9: the contact's pre-scheduled, non-exempt rows are taken by priority, date, type and instance; a row dated d
 * is kept when every period of `periodDays` consecutive days containing d holds at most `max` emails counting the
 * sender's rows and the rows kept so far; otherwise it becomes skipped `frequency_limit`.
 */
export const applyFrequencyLimit = (
  rows: ReadonlyArray<PlannedEmail>,
  /** Ascending (ContactHistory.countedSendDays). */
  countedSendDays: ReadonlyArray<number>,
  max: number,
  periodDays: number
): ReadonlyArray<PlannedEmail> => {
  const candidates = rows
    .filter((row) => row.status === "pre-scheduled" && !isFrequencyExempt(row.emailType))
    .sort(byLimitOrder)
  if (candidates.length === 0) return rows
  // Kept ascending, as the history gives them: each count is two binary searches, and a kept day is inserted in place
  // (a night plans millions of contacts; sorting and scanning the days for every period start made a fifth of a
  // night's garbage).
  const counted = [...countedSendDays]
  const limited = new Map<PlannedEmail, { start: number; count: number }>()
  for (const row of candidates) {
    const day = toDayNumber(row.date)
    let violation: { start: number; count: number } | undefined
    for (let start = day - periodDays + 1; start <= day; start++) {
      const count = countBetween(counted, start, start + periodDays - 1)
      if (count + 1 > max) {
        violation = { start, count }
        break
      }
    }
    if (violation === undefined) counted.splice(firstFrom(counted, day), 0, day)
    else limited.set(row, violation)
  }
  if (limited.size === 0) return rows
  return rows.map((row) => {
    const violation = limited.get(row)
    if (violation === undefined) return row
    const start = dateFromDayNumber(violation.start)
    const end = dateFromDayNumber(violation.start + periodDays - 1)
    return {
      ...row,
      status: "skipped",
      skipReason: "frequency_limit",
      metadata: {
        ...row.metadata,
        reason_text: `Sending would exceed ${max} emails in the ${periodDays}-day period ${start} to ${end}.`,
        frequency: { max, period_days: periodDays, period_start: start, period_end: end, count: violation.count }
      }
    }
  })
}
