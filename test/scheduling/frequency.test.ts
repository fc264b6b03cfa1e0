import { assert, describe, it } from "@effect/vitest"
import { FastCheck } from "effect"
import { dateFromDayNumber, toDayNumber } from "../../src/domain/dates.js"
import { isFrequencyExempt } from "../../src/domain/email.js"
import { applyFrequencyLimit } from "../../src/plan/frequency.js"
import type { PlannedEmail } from "../../src/plan/plan.js"

/**
 * Spec §9 written plainly: rows by priority, date, type and instance; a row is kept when no period of `periodDays`
 * days containing its date would hold more than `max` emails, counting every period start from the earliest. Returns
 * the first violated period (its start day) and the count in it, by the row's position.
 */
const referenceViolations = (
  rows: ReadonlyArray<PlannedEmail>,
  countedSendDays: ReadonlyArray<number>,
  max: number,
  periodDays: number
): ReadonlyMap<number, { readonly start: number; readonly count: number }> => {
  const order = rows
    .map((row, position) => ({ row, position }))
    .filter(({ row }) => row.status === "pre-scheduled" && !isFrequencyExempt(row.emailType))
    .sort(
      ({ row: a }, { row: b }) =>
        a.priority - b.priority ||
        (a.date < b.date ? -1 : a.date > b.date ? 1 : 0) ||
        (a.emailType < b.emailType ? -1 : a.emailType > b.emailType ? 1 : 0) ||
        (a.campaignInstanceId ?? -1) - (b.campaignInstanceId ?? -1)
    )
  const counted = [...countedSendDays]
  const violations = new Map<number, { start: number; count: number }>()
  for (const { row, position } of order) {
    const day = toDayNumber(row.date)
    let violation: { start: number; count: number } | undefined
    for (let start = day - periodDays + 1; start <= day && violation === undefined; start++) {
      const count = counted.filter((sent) => sent >= start && sent <= start + periodDays - 1).length
      if (count + 1 > max) violation = { start, count }
    }
    if (violation === undefined) counted.push(day)
    else violations.set(position, violation)
  }
  return violations
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
      // The sender's counted days, with repeats (the history gives them ascending).
      FastCheck.array(FastCheck.integer({ min: -40, max: 80 }), { maxLength: 6 }),
      FastCheck.integer({ min: 1, max: 4 }),
      FastCheck.integer({ min: 1, max: 45 })
    ],
    ([specs, sent, max, periodDays]) => {
      const rows = specs.map(plannedRow)
      const counted = sent.map((offset) => BASE + offset).sort((a, b) => a - b)
      const limited = applyFrequencyLimit(rows, counted, max, periodDays)
      const expected = referenceViolations(rows, counted, max, periodDays)
      assert.strictEqual(limited.length, rows.length)
      for (const [position, row] of rows.entries()) {
        const violation = expected.get(position)
        const got = limited[position]!
        if (violation === undefined) {
          assert.strictEqual(got, row)
          continue
        }
        assert.deepStrictEqual(
          { status: got.status, skipReason: got.skipReason, frequency: got.metadata.frequency },
          {
            status: "skipped",
            skipReason: "frequency_limit",
            frequency: {
              max,
              period_days: periodDays,
              period_start: dateFromDayNumber(violation.start),
              period_end: dateFromDayNumber(violation.start + periodDays - 1),
              count: violation.count
            }
          }
        )
      }
    },
    { fastCheck: { numRuns: 2000 } }
  )
})
