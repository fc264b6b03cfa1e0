import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { dateFromDayNumber, toDayNumber } from "../../src/domain/dates.js"
import { isFrequencyExempt } from "../../src/domain/email.js"
import { applyFrequencyLimit } from "../../src/plan/frequency.js"
import type { PlannedEmail } from "../../src/plan/plan.js"

/**
 * Spec §9 written plainly: rows by priority, date, type and instance; a row is kept when no period of `periodDays`
 * days containing its date would hold more than `max` emails, counting every period start from the earliest.
 */
const reference = (
  rows: ReadonlyArray<PlannedEmail>,
  countedSendDays: ReadonlyArray<number>,
  max: number,
  periodDays: number
): ReadonlyArray<PlannedEmail> => {
  const candidates = rows
    .filter((row) => row.status === "pre-scheduled" && !isFrequencyExempt(row.emailType))
    .sort(
      (a, b) =>
        a.priority - b.priority ||
        (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) ||
        (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
        (a.campaignInstanceId ?? -1) - (b.campaignInstanceId ?? -1)
    )
  const counted = [...countedSendDays]
  const limited = new Map<PlannedEmail, { start: number; count: number }>()
  for (const row of candidates) {
    const day = toDayNumber(row.date)
    let violation: { start: number; count: number } | undefined
    for (let start = day - periodDays + 1; start <= day && violation === undefined; start++) {
      const count = counted.filter((sent) => sent >= start && sent <= start + periodDays - 1).length
      if (count + 1 > max) violation = { start, count }
    }
    if (violation === undefined) counted.push(day)
    else limited.set(row, violation)
  }
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

const BASE = toDayNumber("2027-01-01")

const plannedRow = (spec: {
  readonly type: string
  readonly offset: number
  readonly priority: number
  readonly instance: number | undefined
  readonly skipped: boolean
}): PlannedEmail => {
  const date = dateFromDayNumber(BASE + spec.offset)
  return {
    contactId: 1,
    emailType: spec.type,
    date,
    status: spec.skipped ? "skipped" : "pre-scheduled",
    skipReason: spec.skipped ? "birthday_window" : undefined,
    priority: spec.priority,
    campaignInstanceId: spec.instance,
    emailTemplate: undefined,
    smsTemplate: undefined,
    eventDate: undefined,
    latestDate: undefined,
    subjectToExclusions: false,
    metadata: { v: 1, planned_date: date },
    skippedBy: undefined,
    enrollmentIds: [],
    parentId: undefined,
    identity: undefined,
    commitmentId: undefined
  }
}

const row = FastCheck.record({
  type: FastCheck.constantFrom(
    "birthday",
    "effective_date",
    "aep",
    "post_window",
    "followup_1_cold",
    "campaign_rate_increase"
  ),
  offset: FastCheck.integer({ min: 0, max: 60 }),
  priority: FastCheck.integer({ min: 1, max: 3 }),
  instance: FastCheck.option(FastCheck.integer({ min: 1, max: 3 }), { nil: undefined }),
  skipped: FastCheck.boolean()
})

describe("frequency limit (spec §9)", () => {
  it.prop(
    "keeps and skips exactly the rows of the plain definition, with the same period and count",
    [
      FastCheck.array(row, { maxLength: 8 }),
      // The sender's counted days, in any order and with repeats.
      FastCheck.array(FastCheck.integer({ min: -40, max: 80 }), { maxLength: 6 }),
      FastCheck.integer({ min: 1, max: 4 }),
      FastCheck.integer({ min: 1, max: 45 })
    ],
    ([specs, sent, max, periodDays]) => {
      const rows = specs.map(plannedRow)
      const counted = sent.map((offset) => BASE + offset)
      assert.deepStrictEqual(
        applyFrequencyLimit(rows, counted, max, periodDays),
        reference(rows, counted, max, periodDays)
      )
    },
    { fastCheck: { numRuns: 2000 } }
  )
})
